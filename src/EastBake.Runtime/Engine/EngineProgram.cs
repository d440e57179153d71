using EastBake.Diagnostics;
using EastBake.Runtime.Plans;

namespace EastBake.Runtime.Engine;

/// <summary>
/// A backend-neutral, fully lowered network for batch 1: tensors, weights in kernel layout, and
/// an ordered list of layers. The host input is float32 NHWC (InputChannels per pixel, H×W of the
/// profile) and is consumed by <see cref="InputConvertLayer"/>; <see cref="Outputs"/> are returned
/// as float32 NHWC. The profile's batch range is the caller's (the executor runs one image at a time).
/// </summary>
public sealed class EngineProgram
{
    public required ShapeProfile Profile { get; init; }
    public int InputChannels { get; init; } = 3;
    public List<EngineTensor> Tensors { get; init; } = [];
    public List<EngineWeight> Weights { get; init; } = [];
    public List<EngineLayer> Layers { get; init; } = [];
    public List<EngineOutput> Outputs { get; init; } = [];

    public int AddTensor(EngineTensor t) { Tensors.Add(t); return Tensors.Count - 1; }
    public int AddWeight(EngineWeight w) { Weights.Add(w); return Weights.Count - 1; }

    /// <summary>Checks ids, slices, precisions and sizes for every input size of the profile; throws EB4008.</summary>
    public void Validate() => new EngineProgramValidator(this).Run();
}

internal sealed class EngineProgramValidator(EngineProgram p)
{
    private static EastBakeException Bad(string message, string? node = null) =>
        new(ErrorCodes.PlanMalformed, "engine program: " + message, node: node);

    public void Run()
    {
        var pr = p.Profile;
        if (pr.SizeMultiple < 1 || pr.MinBatch < 1 || pr.MaxBatch < pr.MinBatch || pr.MinHeight < pr.SizeMultiple || pr.MinWidth < pr.SizeMultiple ||
            pr.MaxHeight < pr.MinHeight || pr.MaxWidth < pr.MinWidth ||
            pr.MinHeight % pr.SizeMultiple != 0 || pr.MinWidth % pr.SizeMultiple != 0 ||
            pr.MaxHeight % pr.SizeMultiple != 0 || pr.MaxWidth % pr.SizeMultiple != 0)
            throw Bad($"invalid shape profile {pr}");
        if (p.InputChannels < 1) throw Bad("input channels must be positive");
        if (!p.Layers.Any(l => l is InputConvertLayer)) throw Bad("no InputConvert layer");

        foreach (var t in p.Tensors)
        {
            if (t.Channels < 1 || t.ScaleNum < 1 || t.ScaleDen < 1 || t.WidthScaleNum < 1 || t.WidthScaleDen < 1 || !Enum.IsDefined(t.DataType))
                throw Bad($"tensor '{t.Name}' has invalid channels, scale or type");
            foreach (int v in Sizes(pr.MinHeight, pr.MaxHeight))
                if (v * (long)t.ScaleNum % t.ScaleDen != 0)
                    throw Bad($"tensor '{t.Name}': height {v}·{t.ScaleNum}/{t.ScaleDen} is not an integer");
            foreach (int v in Sizes(pr.MinWidth, pr.MaxWidth))
                if (v * (long)t.WidthScaleNum % t.WidthScaleDen != 0)
                    throw Bad($"tensor '{t.Name}': width {v}·{t.WidthScaleNum}/{t.WidthScaleDen} is not an integer");
            if (t.ElementCount(pr.MaxHeight, pr.MaxWidth) > int.MaxValue)
                throw Bad($"tensor '{t.Name}' exceeds 2^31 elements at the largest profile size");
        }
        foreach (var w in p.Weights)
            if (!Enum.IsDefined(w.DataType)) throw Bad($"weight '{w.Name}' has an invalid type");

        var written = new bool[p.Tensors.Count][];
        for (int i = 0; i < written.Length; i++) written[i] = new bool[p.Tensors[i].Channels];

        foreach (var layer in p.Layers)
        {
            if (!Enum.IsDefined(layer.Kind)) throw Bad("unknown layer kind", layer.Name);
            foreach (var (r, c) in layer.Reads())
            {
                CheckSlice(layer, r, c);
                for (int k = 0; k < c; k++)
                    if (!written[r.Tensor][r.ChannelOffset + k])
                        throw Bad($"reads channel {r.ChannelOffset + k} of tensor '{p.Tensors[r.Tensor].Name}' before it is written", layer.Name);
            }
            foreach (var (r, c) in layer.Writes())
            {
                CheckSlice(layer, r, c);
                for (int k = 0; k < c; k++) written[r.Tensor][r.ChannelOffset + k] = true;
            }
            CheckLayer(layer);
            foreach (int h in Sizes(pr.MinHeight, pr.MaxHeight)) CheckAxis(layer, h, vertical: true);
            foreach (int w in Sizes(pr.MinWidth, pr.MaxWidth)) CheckAxis(layer, w, vertical: false);
        }

        if (p.Outputs.Count == 0) throw Bad("no outputs");
        foreach (var o in p.Outputs)
        {
            if (o.Source.Tensor < 0 || o.Source.Tensor >= p.Tensors.Count || o.Channels < 1 || o.Source.ChannelOffset < 0 ||
                o.Source.ChannelOffset + o.Channels > p.Tensors[o.Source.Tensor].Channels)
                throw Bad($"output '{o.Name}' has an invalid slice");
            for (int k = 0; k < o.Channels; k++)
                if (!written[o.Source.Tensor][o.Source.ChannelOffset + k]) throw Bad($"output '{o.Name}' is never written");
        }
    }

    private IEnumerable<int> Sizes(int min, int max)
    {
        for (int v = min; v <= max; v += p.Profile.SizeMultiple) yield return v;
    }

    private void CheckSlice(EngineLayer layer, TensorRef r, int channels)
    {
        if (r.Tensor < 0 || r.Tensor >= p.Tensors.Count)
            throw Bad($"tensor index {r.Tensor} out of range", layer.Name);
        if (channels < 1 || r.ChannelOffset < 0 || r.ChannelOffset + channels > p.Tensors[r.Tensor].Channels)
            throw Bad($"channel slice [{r.ChannelOffset}, +{channels}) outside tensor '{p.Tensors[r.Tensor].Name}'", layer.Name);
    }

    private EngineDataType TypeOf(TensorRef r) => p.Tensors[r.Tensor].DataType;

    private void SameType(EngineLayer layer, params TensorRef[] refs)
    {
        foreach (var r in refs)
            if (TypeOf(r) != TypeOf(refs[0])) throw Bad("tensors of one layer must share a precision (use a Convert layer)", layer.Name);
    }

    private EngineWeight Weight(EngineLayer layer, int index)
    {
        if (index < 0 || index >= p.Weights.Count) throw Bad($"weight index {index} out of range", layer.Name);
        return p.Weights[index];
    }

    private void Vector(EngineLayer layer, int index, int length)
    {
        var v = Weight(layer, index);
        if (v.DataType != EngineDataType.Float32 || v.ElementCount != length)
            throw Bad($"vector '{v.Name}' must be Float32 [{length}]", layer.Name);
    }

    private void CheckLayer(EngineLayer layer)
    {
        switch (layer)
        {
            case InputConvertLayer ic:
                if (ic.InputChannels != p.InputChannels || ic.OutputChannels < ic.InputChannels)
                    throw Bad("input convert channel counts", layer.Name);
                if (ic.Mean is { } mean && mean.Length != ic.InputChannels) throw Bad("mean length must equal input channels", layer.Name);
                break;
            case Conv2DLayer c:
                if (c.KernelH < 1 || c.KernelW < 1 || c.StrideH < 1 || c.StrideW < 1 ||
                    c.PadTop < 0 || c.PadLeft < 0 || c.PadBottom < 0 || c.PadRight < 0 || !Enum.IsDefined(c.Activation))
                    throw Bad("invalid conv geometry", layer.Name);
                SameType(layer, c.Residual is { } res ? [c.Input, c.Output, res] : [c.Input, c.Output]);
                var f = Weight(layer, c.Filter);
                // The layout follows the tactic: OHWI exactly for tensor-core tactics, HWIO otherwise.
                var layout = c.Tactic.Variant == Ilgpu.TensorCores.ConvTactics.TensorCore ? WeightLayout.Ohwi : WeightLayout.Hwio;
                if (f.Layout != layout || f.DataType != TypeOf(c.Input) ||
                    f.ElementCount != (long)c.KernelH * c.KernelW * c.InChannels * c.OutChannels)
                    throw Bad($"filter '{f.Name}' must be {layout} {c.KernelH}x{c.KernelW}x{c.InChannels}x{c.OutChannels} in the input's precision", layer.Name);
                if (c.Bias >= 0 || c.Bias < -1) Vector(layer, c.Bias, c.OutChannels);
                if (c.Activation == EngineActivation.EastHead && c.OutChannels < 6)
                    throw Bad("the EastHead epilogue needs at least 6 output channels", layer.Name);
                break;
            case QuantizeLayer q:
                if (TypeOf(q.Output) != EngineDataType.Int8 || TypeOf(q.Input) == EngineDataType.Int8)
                    throw Bad("quantize reads a float tensor and writes an Int8 one", layer.Name);
                if (!(q.Scale > 0f) || !float.IsFinite(q.Scale)) throw Bad($"quantize scale {q.Scale} must be finite and positive", layer.Name);
                break;
            case QuantizedConv2DLayer qc:
                CheckQuantizedConv(qc);
                break;
            case ScaleShiftLayer ss:
                if (ss.Activation is not (EngineActivation.None or EngineActivation.Relu or EngineActivation.Sigmoid))
                    throw Bad($"scale-shift activation {ss.Activation} (None, Relu or Sigmoid)", layer.Name);
                Vector(layer, ss.Scale, ss.Channels);
                Vector(layer, ss.Shift, ss.Channels);
                SameType(layer, ss.Input, ss.Output);
                break;
            case MaxPoolLayer m:
                if (m.KernelH < 1 || m.KernelW < 1 || m.StrideH < 1 || m.StrideW < 1 || m.PadTop < 0 || m.PadLeft < 0 ||
                    m.PadBottom < 0 || m.PadRight < 0 || m.PadTop >= m.KernelH || m.PadLeft >= m.KernelW ||
                    m.PadBottom >= m.KernelH || m.PadRight >= m.KernelW)
                    throw Bad("invalid pool geometry (a pad must be smaller than the window)", layer.Name);
                SameType(layer, m.Input, m.Output);
                break;
            case AddLayer a: SameType(layer, a.A, a.B, a.Output); break;
            case ResizeBilinearLayer r: SameType(layer, r.Input, r.Output); break;
            case SigmoidLayer s: SameType(layer, s.Input, s.Output); break;
            case GeometryHeadLayer g: SameType(layer, g.Input, g.Output); break;
            case ConvertLayer: break;
            case ConcatLayer cc:
                if (cc.Inputs.Count == 0 || cc.ZeroChannels < 0) throw Bad("concat without inputs or with negative zero channels", layer.Name);
                SameType(layer, [cc.Output, .. cc.Inputs.Select(i => i.Input)]);
                break;
            default: throw Bad("unknown layer type", layer.Name);
        }
    }

    private void CheckQuantizedConv(QuantizedConv2DLayer qc)
    {
        var c = qc.Conv;
        if (c.KernelH < 1 || c.KernelW < 1 || c.StrideH < 1 || c.StrideW < 1 ||
            c.PadTop < 0 || c.PadLeft < 0 || c.PadBottom < 0 || c.PadRight < 0 || c.Activation is not (EngineActivation.None or EngineActivation.Relu))
            throw Bad("invalid INT8 conv geometry or activation (None or Relu)", qc.Name);
        if (TypeOf(c.Input) != EngineDataType.Int8) throw Bad("an INT8 conv reads an Int8 tensor", qc.Name);
        if (c.Residual is { } res && TypeOf(res) == EngineDataType.Int8) throw Bad("an INT8 conv's residual is a float tensor", qc.Name);
        bool int8Out = TypeOf(c.Output) == EngineDataType.Int8;
        if (int8Out != qc.OutputScale > 0f || !float.IsFinite(qc.OutputScale))
            throw Bad("an Int8 output needs a positive output scale, a float output none", qc.Name);
        if (int8Out && c.Residual is not null) throw Bad("an INT8 conv with a residual writes a float tensor", qc.Name);
        var f = Weight(qc, c.Filter);
        if (f.Layout != WeightLayout.Ohwi || f.DataType != EngineDataType.Int8 ||
            f.ElementCount != (long)c.KernelH * c.KernelW * c.InChannels * c.OutChannels)
            throw Bad($"filter '{f.Name}' must be Int8 OHWI {c.KernelH}x{c.KernelW}x{c.InChannels}x{c.OutChannels}", qc.Name);
        Vector(qc, qc.Epilogue, 2 * c.OutChannels);
    }

    /// <summary>Checks the layer's size relation along one axis for input size <paramref name="v"/>.</summary>
    private void CheckAxis(EngineLayer layer, int v, bool vertical)
    {
        int Dim(TensorRef r) => vertical ? p.Tensors[r.Tensor].Height(v) : p.Tensors[r.Tensor].Width(v);
        void Expect(int actual, int expected, string what)
        {
            if (expected < 1 || actual != expected)
                throw Bad($"{(vertical ? "height" : "width")} mismatch for input size {v}: {what} is {actual}, expected {expected}", layer.Name);
        }
        switch (layer)
        {
            case InputConvertLayer ic: Expect(Dim(ic.Output), v, "output"); break;
            case QuantizedConv2DLayer qc: CheckAxis(qc.Conv, v, vertical); break;
            case QuantizeLayer q: Expect(Dim(q.Output), Dim(q.Input), "output"); break;
            case Conv2DLayer c:
            {
                int k = vertical ? c.KernelH : c.KernelW, s = vertical ? c.StrideH : c.StrideW;
                int pads = vertical ? c.PadTop + c.PadBottom : c.PadLeft + c.PadRight;
                int span = Dim(c.Input) + pads - k;
                Expect(Dim(c.Output), span < 0 ? 0 : span / s + 1, "conv output");
                if (c.Residual is { } r) Expect(Dim(r), Dim(c.Output), "residual");
                break;
            }
            case MaxPoolLayer m:
            {
                int k = vertical ? m.KernelH : m.KernelW, s = vertical ? m.StrideH : m.StrideW;
                int pads = vertical ? m.PadTop + m.PadBottom : m.PadLeft + m.PadRight;
                int span = Dim(m.Input) + pads - k;
                Expect(Dim(m.Output), span < 0 ? 0 : span / s + 1, "pool output");
                break;
            }
            case AddLayer a: Expect(Dim(a.B), Dim(a.A), "b"); Expect(Dim(a.Output), Dim(a.A), "output"); break;
            case ResizeBilinearLayer r: Expect(Dim(r.Output), Math.Max(1, Dim(r.Output)), "output"); break;
            case SigmoidLayer s: Expect(Dim(s.Output), Dim(s.Input), "output"); break;
            case ScaleShiftLayer ss: Expect(Dim(ss.Output), Dim(ss.Input), "output"); break;
            case GeometryHeadLayer g: Expect(Dim(g.Output), Dim(g.Input), "output"); break;
            case ConvertLayer cv: Expect(Dim(cv.Output), Dim(cv.Input), "output"); break;
            case ConcatLayer cc:
                foreach (var (input, _) in cc.Inputs) Expect(Dim(input), Dim(cc.Output), "concat input");
                break;
        }
    }
}
