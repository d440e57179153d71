using System.Text;
using EastBake.Diagnostics;
using EastBake.Runtime.Plans;

namespace EastBake.Runtime.Engine;

/// <summary>
/// Compact binary form of an <see cref="EngineProgram"/>: little-endian (BinaryWriter), "EBEP"
/// magic, u16 version, then profile, tensors, weights (raw kernel-layout bytes), layers (u8
/// opcode + fields) and outputs. The same program always gives the same bytes. Reading checks
/// every count, enum and index and then runs <see cref="EngineProgram.Validate"/>; any fault is
/// EB4008 (EB4002 for an unknown version).
/// </summary>
public static class EngineProgramSerializer
{
    public const ushort Version = 3;

    /// <summary>Version 2 (no INT8 layers) reads unchanged.</summary>
    private const ushort OldestReadable = 2;
    private static ReadOnlySpan<byte> Magic => "EBEP"u8;

    public static byte[] Serialize(EngineProgram program)
    {
        using var ms = new MemoryStream();
        Write(program, ms);
        return ms.ToArray();
    }

    public static void Write(EngineProgram program, Stream stream)
    {
        using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(Version);
        var pr = program.Profile;
        foreach (int v in (int[])[pr.MinBatch, pr.OptBatch, pr.MaxBatch, pr.MinHeight, pr.OptHeight, pr.MaxHeight,
                     pr.MinWidth, pr.OptWidth, pr.MaxWidth, pr.SizeMultiple])
            w.Write(v);
        w.Write(program.InputChannels);

        w.Write(program.Tensors.Count);
        foreach (var t in program.Tensors)
        {
            w.Write(t.Name); w.Write(t.Channels); w.Write(t.ScaleNum); w.Write(t.ScaleDen); w.Write(t.WidthScaleNum); w.Write(t.WidthScaleDen);
            w.Write((byte)t.DataType);
        }
        w.Write(program.Weights.Count);
        foreach (var x in program.Weights)
        {
            w.Write(x.Name); w.Write((byte)x.DataType); w.Write((byte)x.Layout); w.Write(x.Data.Length); w.Write(x.Data);
        }
        w.Write(program.Layers.Count);
        foreach (var l in program.Layers) WriteLayer(w, l);
        w.Write(program.Outputs.Count);
        foreach (var o in program.Outputs)
        {
            w.Write(o.Name); WriteRef(w, o.Source); w.Write(o.Channels);
        }
    }

    private static void WriteRef(BinaryWriter w, TensorRef r) { w.Write(r.Tensor); w.Write(r.ChannelOffset); }

    private static void WriteLayer(BinaryWriter w, EngineLayer l)
    {
        w.Write((byte)l.Kind);
        w.Write(l.Name);
        var t = l.Tactic;
        w.Write(t.Variant); w.Write(t.GroupSize); w.Write(t.P1); w.Write(t.P2); w.Write(t.P3);
        switch (l)
        {
            case InputConvertLayer ic:
                WriteRef(w, ic.Output); w.Write(ic.InputChannels); w.Write(ic.OutputChannels);
                w.Write(ic.Mean is null ? -1 : ic.Mean.Length);
                foreach (var m in ic.Mean ?? []) w.Write(m);
                break;
            case Conv2DLayer c:
                WriteConv(w, c);
                break;
            case QuantizeLayer q:
                WriteRef(w, q.Input); WriteRef(w, q.Output); w.Write(q.Channels); w.Write(q.Scale);
                break;
            case QuantizedConv2DLayer qc:
                WriteConv(w, qc.Conv); w.Write(qc.Epilogue); w.Write(qc.OutputScale);
                break;
            case MaxPoolLayer m:
                WriteRef(w, m.Input); WriteRef(w, m.Output); w.Write(m.Channels);
                w.Write(m.KernelH); w.Write(m.KernelW); w.Write(m.StrideH); w.Write(m.StrideW);
                w.Write(m.PadTop); w.Write(m.PadLeft); w.Write(m.PadBottom); w.Write(m.PadRight);
                break;
            case AddLayer a:
                WriteRef(w, a.A); WriteRef(w, a.B); WriteRef(w, a.Output); w.Write(a.Channels); w.Write(a.Relu);
                break;
            case ResizeBilinearLayer rz:
                WriteRef(w, rz.Input); WriteRef(w, rz.Output); w.Write(rz.Channels);
                break;
            case ConcatLayer cc:
                w.Write(cc.Inputs.Count);
                foreach (var (input, ch) in cc.Inputs) { WriteRef(w, input); w.Write(ch); }
                WriteRef(w, cc.Output); w.Write(cc.ZeroChannels);
                break;
            case SigmoidLayer s:
                WriteRef(w, s.Input); WriteRef(w, s.Output); w.Write(s.Channels);
                break;
            case GeometryHeadLayer g:
                WriteRef(w, g.Input); WriteRef(w, g.Output); w.Write(g.TextScale); w.Write(g.AngleScale);
                break;
            case ConvertLayer cv:
                WriteRef(w, cv.Input); WriteRef(w, cv.Output); w.Write(cv.Channels);
                break;
            case ScaleShiftLayer ss:
                WriteRef(w, ss.Input); WriteRef(w, ss.Output); w.Write(ss.Channels); w.Write((byte)ss.Activation);
                w.Write(ss.Scale); w.Write(ss.Shift);
                break;
            default:
                throw new ArgumentException($"cannot serialize layer type {l.GetType().Name}");
        }
    }

    private static void WriteConv(BinaryWriter w, Conv2DLayer c)
    {
        WriteRef(w, c.Input); WriteRef(w, c.Output);
        w.Write(c.Residual.HasValue);
        if (c.Residual is { } res) WriteRef(w, res);
        w.Write(c.Filter); w.Write(c.Bias); w.Write(c.InChannels); w.Write(c.OutChannels);
        w.Write(c.KernelH); w.Write(c.KernelW); w.Write(c.StrideH); w.Write(c.StrideW);
        w.Write(c.PadTop); w.Write(c.PadLeft); w.Write(c.PadBottom); w.Write(c.PadRight);
        w.Write((byte)c.Activation); w.Write(c.TextScale); w.Write(c.AngleScale);
    }

    public static EngineProgram Read(ReadOnlySpan<byte> data) => Read(new MemoryStream(data.ToArray(), writable: false));

    public static EngineProgram Read(Stream stream)
    {
        if (!stream.CanSeek)
        {
            var copy = new MemoryStream();
            stream.CopyTo(copy);
            copy.Position = 0;
            stream = copy;
        }
        try
        {
            using var r = new BinaryReader(stream, new UTF8Encoding(false, throwOnInvalidBytes: true), leaveOpen: true);
            return new Reader(r, stream).Program();
        }
        catch (EndOfStreamException e)
        {
            throw new EastBakeException(ErrorCodes.PlanMalformed, "engine program: truncated", inner: e);
        }
        catch (Exception e) when (e is DecoderFallbackException or IOException or FormatException or ArgumentException or OverflowException)
        {
            throw new EastBakeException(ErrorCodes.PlanMalformed, "engine program: " + e.Message, inner: e);
        }
    }

    private sealed class Reader(BinaryReader r, Stream s)
    {
        private static EastBakeException Bad(string m) => new(ErrorCodes.PlanMalformed, "engine program: " + m);

        private long Remaining => s.Length - s.Position;

        /// <summary>A count whose records take at least <paramref name="minBytes"/> each must fit the rest of the data.</summary>
        private int Count(int minBytes)
        {
            int n = r.ReadInt32();
            if (n < 0 || (long)n * minBytes > Remaining) throw Bad($"count {n} is negative or exceeds the data");
            return n;
        }

        private T Enum<T>(byte v) where T : struct, System.Enum
        {
            var e = (T)(object)v;
            if (!System.Enum.IsDefined(e)) throw Bad($"invalid {typeof(T).Name} value {v}");
            return e;
        }

        private TensorRef Ref() => new(r.ReadInt32(), r.ReadInt32());

        public EngineProgram Program()
        {
            Span<byte> magic = stackalloc byte[4];
            r.BaseStream.ReadExactly(magic);
            if (!magic.SequenceEqual(Magic)) throw Bad("bad magic (not an engine program)");
            ushort version = r.ReadUInt16();
            if (version < OldestReadable || version > Version)
                throw new EastBakeException(ErrorCodes.PlanBadVersion,
                    $"engine program version {version} is not supported (reads {OldestReadable}..{Version})");
            var profile = new ShapeProfile(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(),
                r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32()) { SizeMultiple = r.ReadInt32() };
            var program = new EngineProgram { Profile = profile, InputChannels = r.ReadInt32() };

            int nt = Count(22);
            for (int i = 0; i < nt; i++)
            {
                string name = r.ReadString();
                int channels = r.ReadInt32(), hn = r.ReadInt32(), hd = r.ReadInt32(), wn = r.ReadInt32(), wd = r.ReadInt32();
                if (wn < 1 || wd < 1) throw Bad($"tensor '{name}' has an invalid width scale {wn}/{wd}");
                program.Tensors.Add(new EngineTensor(name, channels, hd, Enum<EngineDataType>(r.ReadByte()), hn, wn, wd));
            }
            int nw = Count(7);
            for (int i = 0; i < nw; i++)
            {
                string name = r.ReadString();
                var type = Enum<EngineDataType>(r.ReadByte());
                var layout = Enum<WeightLayout>(r.ReadByte());
                int len = r.ReadInt32();
                if (len < 0 || len > Remaining || len % type.SizeInBytes() != 0) throw Bad($"weight '{name}' has a bad byte length {len}");
                program.Weights.Add(new EngineWeight(name, type, r.ReadBytes(len), layout));
            }
            int nl = Count(22);
            for (int i = 0; i < nl; i++) program.Layers.Add(Layer());
            int no = Count(13);
            for (int i = 0; i < no; i++) program.Outputs.Add(new EngineOutput(r.ReadString(), Ref(), r.ReadInt32()));
            if (Remaining != 0) throw Bad($"{Remaining} trailing bytes");
            program.Validate();
            return program;
        }

        private EngineLayer Layer()
        {
            var kind = Enum<EngineLayerKind>(r.ReadByte());
            string name = r.ReadString();
            var tactic = new Tactic(r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32(), r.ReadInt32());
            EngineLayer layer = kind switch
            {
                EngineLayerKind.InputConvert => InputConvert(name),
                EngineLayerKind.Conv2D => Conv(name),
                EngineLayerKind.MaxPool => new MaxPoolLayer
                {
                    Name = name, Input = Ref(), Output = Ref(), Channels = r.ReadInt32(),
                    KernelH = r.ReadInt32(), KernelW = r.ReadInt32(), StrideH = r.ReadInt32(), StrideW = r.ReadInt32(),
                    PadTop = r.ReadInt32(), PadLeft = r.ReadInt32(), PadBottom = r.ReadInt32(), PadRight = r.ReadInt32(),
                },
                EngineLayerKind.Add => new AddLayer { Name = name, A = Ref(), B = Ref(), Output = Ref(), Channels = r.ReadInt32(), Relu = r.ReadBoolean() },
                EngineLayerKind.ResizeBilinear => new ResizeBilinearLayer { Name = name, Input = Ref(), Output = Ref(), Channels = r.ReadInt32() },
                EngineLayerKind.Concat => Concat(name),
                EngineLayerKind.Sigmoid => new SigmoidLayer { Name = name, Input = Ref(), Output = Ref(), Channels = r.ReadInt32() },
                EngineLayerKind.GeometryHead => new GeometryHeadLayer { Name = name, Input = Ref(), Output = Ref(), TextScale = r.ReadSingle(), AngleScale = r.ReadSingle() },
                EngineLayerKind.Convert => new ConvertLayer { Name = name, Input = Ref(), Output = Ref(), Channels = r.ReadInt32() },
                EngineLayerKind.ScaleShift => new ScaleShiftLayer
                {
                    Name = name, Input = Ref(), Output = Ref(), Channels = r.ReadInt32(), Activation = Enum<EngineActivation>(r.ReadByte()),
                    Scale = r.ReadInt32(), Shift = r.ReadInt32(),
                },
                EngineLayerKind.Quantize => new QuantizeLayer { Name = name, Input = Ref(), Output = Ref(), Channels = r.ReadInt32(), Scale = r.ReadSingle() },
                EngineLayerKind.QuantizedConv2D => new QuantizedConv2DLayer { Name = name, Conv = Conv(name), Epilogue = r.ReadInt32(), OutputScale = r.ReadSingle() },
                _ => throw Bad($"unknown layer kind {kind}"),
            };
            layer.Tactic = tactic;
            return layer;
        }

        private InputConvertLayer InputConvert(string name)
        {
            var output = Ref();
            int inC = r.ReadInt32(), outC = r.ReadInt32(), nMean = r.ReadInt32();
            if (nMean < -1 || nMean * 4L > Remaining) throw Bad("bad mean length");
            float[]? mean = nMean < 0 ? null : new float[nMean];
            for (int i = 0; i < nMean; i++) mean![i] = r.ReadSingle();
            return new InputConvertLayer { Name = name, Output = output, InputChannels = inC, OutputChannels = outC, Mean = mean };
        }

        private Conv2DLayer Conv(string name)
        {
            var input = Ref();
            var output = Ref();
            TensorRef? residual = r.ReadBoolean() ? Ref() : null;
            return new Conv2DLayer
            {
                Name = name, Input = input, Output = output, Residual = residual,
                Filter = r.ReadInt32(), Bias = r.ReadInt32(), InChannels = r.ReadInt32(), OutChannels = r.ReadInt32(),
                KernelH = r.ReadInt32(), KernelW = r.ReadInt32(), StrideH = r.ReadInt32(), StrideW = r.ReadInt32(),
                PadTop = r.ReadInt32(), PadLeft = r.ReadInt32(), PadBottom = r.ReadInt32(), PadRight = r.ReadInt32(),
                Activation = Enum<EngineActivation>(r.ReadByte()), TextScale = r.ReadSingle(), AngleScale = r.ReadSingle(),
            };
        }

        private ConcatLayer Concat(string name)
        {
            int n = Count(12);
            var inputs = new List<(TensorRef, int)>(n);
            for (int i = 0; i < n; i++) inputs.Add((Ref(), r.ReadInt32()));
            return new ConcatLayer { Name = name, Inputs = inputs, Output = Ref(), ZeroChannels = r.ReadInt32() };
        }
    }
}
