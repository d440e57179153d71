using EastBake.Compiler.Protos.Tf;

namespace EastBake.Tests.Generator;

/// <summary>
/// Test-only, naive float interpreter of the TF ops in an EAST frozen graph (NHWC, TF SAME rules,
/// legacy bilinear resize). Independent of the compiler; used to check the generated weights keep
/// activations well-scaled. Nodes must be in topological order (as TF writes them).
/// </summary>
internal sealed class ReferenceInterpreter(GraphDef graph)
{
    public sealed record Nd(int[] Shape, float[] Data)
    {
        public int this[int i] => Shape[i];
        public static Nd Scalar(float v) => new([], [v]);
    }

    public Dictionary<string, Nd> Run(Nd input)
    {
        var v = new Dictionary<string, Nd>();
        Nd In(NodeDef n, int i) => v[n.Input[i].Contains(':') ? n.Input[i] : n.Input[i]];
        foreach (var n in graph.Node)
        {
            Nd r = n.Op switch
            {
                "Placeholder" => input,
                "Const" => FromTensor(n.Attr["value"].Tensor),
                "Identity" => In(n, 0),
                "Split" => Split(n, v),
                "Sub" => Binary(In(n, 0), In(n, 1), (a, b) => a - b),
                "Mul" => Binary(In(n, 0), In(n, 1), (a, b) => a * b),
                "RealDiv" => Binary(In(n, 0), In(n, 1), (a, b) => a / b),
                "Add" => Binary(In(n, 0), In(n, 1), (a, b) => a + b),
                "BiasAdd" => Binary(In(n, 0), In(n, 1), (a, b) => a + b),
                "Relu" => Map(In(n, 0), a => Math.Max(a, 0)),
                "Sigmoid" => Map(In(n, 0), a => 1f / (1f + MathF.Exp(-a))),
                "ConcatV2" => Concat(n.Input.Take(n.Input.Count - 1).Select(i => v[i]).ToList()),
                "Pad" => Pad(In(n, 0), In(n, 1)),
                "Conv2D" => Conv(In(n, 0), In(n, 1), (int)n.Attr["strides"].List.I[1], n.Attr["padding"].S.ToStringUtf8() == "SAME"),
                "FusedBatchNorm" => BatchNorm(In(n, 0), In(n, 1), In(n, 2), In(n, 3), In(n, 4), n.Attr["epsilon"].F),
                "MaxPool" => MaxPool(In(n, 0), (int)n.Attr["ksize"].List.I[1], (int)n.Attr["strides"].List.I[1]),
                "Shape" => new([4], In(n, 0).Shape.Select(d => (float)d).ToArray()),
                "StridedSlice" => Nd.Scalar(In(n, 0).Data[(int)In(n, 1).Data[0]]),
                "Pack" => new([n.Input.Count], n.Input.Select(i => v[i].Data[0]).ToArray()),
                "ResizeBilinear" => Resize(In(n, 0), (int)In(n, 1).Data[0], (int)In(n, 1).Data[1]),
                _ => throw new NotSupportedException(n.Op),
            };
            if (n.Op != "Split") v[n.Name] = r;
        }
        return v;
    }

    private static Nd FromTensor(TensorProto t)
    {
        var shape = t.TensorShape?.Dim.Select(d => (int)d.Size).ToArray() ?? [];
        var count = shape.Aggregate(1, (a, b) => a * b);
        float[] data;
        if (t.TensorContent.Length > 0)
            data = t.Dtype == DataType.DtFloat
                ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(t.TensorContent.Span).ToArray()
                : System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(t.TensorContent.Span).ToArray().Select(i => (float)i).ToArray();
        else data = Enumerable.Repeat(t.Dtype == DataType.DtFloat ? t.FloatVal[0] : t.IntVal[0], count).ToArray();
        return new(shape, data);
    }

    private static Nd Split(NodeDef n, Dictionary<string, Nd> v)
    {
        var x = v[n.Input[1]];
        var parts = (int)n.Attr["num_split"].I;
        var c = x[3] / parts;
        for (var p = 0; p < parts; p++)
        {
            var o = new float[x.Data.Length / parts];
            for (var i = 0; i < o.Length; i++) o[i] = x.Data[i / c * x[3] + p * c + i % c];
            v[p == 0 ? n.Name : $"{n.Name}:{p}"] = new([x[0], x[1], x[2], c], o);
        }
        return v[n.Name];
    }

    /// <summary>Elementwise with a scalar or last-axis vector broadcast on the right.</summary>
    private static Nd Binary(Nd a, Nd b, Func<float, float, float> f)
    {
        var o = new float[a.Data.Length];
        for (var i = 0; i < o.Length; i++) o[i] = f(a.Data[i], b.Data[b.Data.Length == a.Data.Length ? i : i % b.Data.Length]);
        return a with { Data = o };
    }

    private static Nd Map(Nd a, Func<float, float> f) => a with { Data = a.Data.Select(f).ToArray() };

    private static Nd Concat(List<Nd> xs)
    {
        var c = xs.Sum(x => x[3]);
        var pixels = xs[0].Data.Length / xs[0][3];
        var o = new float[pixels * c];
        for (var p = 0; p < pixels; p++)
        {
            var at = p * c;
            foreach (var x in xs)
            {
                Array.Copy(x.Data, p * x[3], o, at, x[3]);
                at += x[3];
            }
        }
        return new([xs[0][0], xs[0][1], xs[0][2], c], o);
    }

    private static Nd Pad(Nd x, Nd p)
    {
        int t = (int)p.Data[2], b = (int)p.Data[3], l = (int)p.Data[4], r = (int)p.Data[5];
        int h = x[1] + t + b, w = x[2] + l + r, c = x[3];
        var o = new float[x[0] * h * w * c];
        for (var n = 0; n < x[0]; n++)
            for (var y = 0; y < x[1]; y++)
                Array.Copy(x.Data, ((n * x[1] + y) * x[2]) * c, o, ((n * h + y + t) * w + l) * c, x[2] * c);
        return new([x[0], h, w, c], o);
    }

    private static (int Out, int Before) Same(int size, int k, int s, bool same)
    {
        if (!same) return ((size - k) / s + 1, 0);
        var o = (size + s - 1) / s;
        return (o, Math.Max((o - 1) * s + k - size, 0) / 2);
    }

    private static Nd Conv(Nd x, Nd w, int s, bool same)
    {
        int k = w[0], ci = w[2], co = w[3];
        var (oh, pt) = Same(x[1], k, s, same);
        var (ow, pl) = Same(x[2], k, s, same);
        var o = new float[x[0] * oh * ow * co];
        for (var n = 0; n < x[0]; n++)
            for (var y = 0; y < oh; y++)
                for (var xx = 0; xx < ow; xx++)
                {
                    var acc = new double[co];
                    for (var ky = 0; ky < k; ky++)
                        for (var kx = 0; kx < k; kx++)
                        {
                            int iy = y * s + ky - pt, ix = xx * s + kx - pl;
                            if (iy < 0 || ix < 0 || iy >= x[1] || ix >= x[2]) continue;
                            var xb = ((n * x[1] + iy) * x[2] + ix) * ci;
                            var wb = (ky * k + kx) * ci * co;
                            for (var c = 0; c < ci; c++)
                            {
                                var xv = x.Data[xb + c];
                                for (var d = 0; d < co; d++) acc[d] += xv * w.Data[wb + c * co + d];
                            }
                        }
                    for (var d = 0; d < co; d++) o[((n * oh + y) * ow + xx) * co + d] = (float)acc[d];
                }
        return new([x[0], oh, ow, co], o);
    }

    private static Nd BatchNorm(Nd x, Nd g, Nd b, Nd m, Nd v, float eps)
    {
        var c = x[3];
        var o = new float[x.Data.Length];
        for (var i = 0; i < o.Length; i++)
        {
            var d = i % c;
            o[i] = (x.Data[i] - m.Data[d]) * g.Data[d] / MathF.Sqrt(v.Data[d] + eps) + b.Data[d];
        }
        return x with { Data = o };
    }

    private static Nd MaxPool(Nd x, int k, int s)
    {
        var (oh, pt) = Same(x[1], k, s, true);
        var (ow, pl) = Same(x[2], k, s, true);
        var c = x[3];
        var o = new float[x[0] * oh * ow * c];
        for (var n = 0; n < x[0]; n++)
            for (var y = 0; y < oh; y++)
                for (var xx = 0; xx < ow; xx++)
                    for (var d = 0; d < c; d++)
                    {
                        var best = float.NegativeInfinity;
                        for (var ky = 0; ky < k; ky++)
                            for (var kx = 0; kx < k; kx++)
                            {
                                int iy = y * s + ky - pt, ix = xx * s + kx - pl;
                                if (iy >= 0 && ix >= 0 && iy < x[1] && ix < x[2]) best = Math.Max(best, x.Data[((n * x[1] + iy) * x[2] + ix) * c + d]);
                            }
                        o[((n * oh + y) * ow + xx) * c + d] = best;
                    }
        return new([x[0], oh, ow, c], o);
    }

    /// <summary>TF1 legacy bilinear (align_corners=false, half_pixel_centers=false).</summary>
    private static Nd Resize(Nd x, int oh, int ow)
    {
        int h = x[1], w = x[2], c = x[3];
        var o = new float[x[0] * oh * ow * c];
        for (var n = 0; n < x[0]; n++)
            for (var y = 0; y < oh; y++)
            {
                var fy = y * (float)h / oh;
                int y0 = (int)fy, y1 = Math.Min(y0 + 1, h - 1);
                var dy = fy - y0;
                for (var xx = 0; xx < ow; xx++)
                {
                    var fx = xx * (float)w / ow;
                    int x0 = (int)fx, x1 = Math.Min(x0 + 1, w - 1);
                    var dx = fx - x0;
                    for (var d = 0; d < c; d++)
                    {
                        float At(int yy, int xi) => x.Data[((n * h + yy) * w + xi) * c + d];
                        var top = At(y0, x0) + (At(y0, x1) - At(y0, x0)) * dx;
                        var bot = At(y1, x0) + (At(y1, x1) - At(y1, x0)) * dx;
                        o[((n * oh + y) * ow + xx) * c + d] = top + (bot - top) * dy;
                    }
                }
            }
        return new([x[0], oh, ow, c], o);
    }
}
