using EastBake.Runtime.Ilgpu.TensorCores;
using EastBake.Runtime.Engine;

namespace EastBake.Tests.Engine;

/// <summary>
/// Independent float64 interpreter of an EngineProgram: plain loops over NHWC arrays, weights
/// decoded from their bytes with System.Half / BitConverter. Unwritten elements stay NaN.
/// </summary>
internal static class EngineReference
{
    public static double[][] Run(EngineProgram p, float[] image, int H, int W)
    {
        var data = new double[p.Tensors.Count][];
        int Hh(int t) => H * p.Tensors[t].ScaleNum / p.Tensors[t].ScaleDen;
        int Ww(int t) => W * p.Tensors[t].WidthScaleNum / p.Tensors[t].WidthScaleDen;
        for (int t = 0; t < data.Length; t++)
        {
            data[t] = new double[Hh(t) * Ww(t) * p.Tensors[t].Channels];
            Array.Fill(data[t], double.NaN);
        }
        int C(TensorRef r) => p.Tensors[r.Tensor].Channels;
        ref double At(TensorRef r, int y, int x, int c) => ref data[r.Tensor][(y * Ww(r.Tensor) + x) * C(r) + r.ChannelOffset + c];
        static double Sig(double v) => 1 / (1 + Math.Exp(-v));

        foreach (var layer in p.Layers)
        {
            switch (layer)
            {
                case InputConvertLayer ic:
                    for (int y = 0; y < H; y++)
                    for (int x = 0; x < W; x++)
                    for (int c = 0; c < ic.OutputChannels; c++)
                        At(ic.Output, y, x, c) = c < ic.InputChannels
                            ? image[(y * W + x) * ic.InputChannels + c] - (ic.Mean?[c] ?? 0)
                            : 0;
                    break;
                case Conv2DLayer cv:
                {
                    // Tensor-core tactics store the filter OHWI; the reference always reads HWIO.
                    var f = Decode(p.Weights[cv.Filter].Layout == WeightLayout.Ohwi
                        ? ConvTactics.Permute(p.Weights[cv.Filter], cv.KernelH, cv.KernelW, cv.InChannels, cv.OutChannels, inverse: true)
                        : p.Weights[cv.Filter]);
                    var b = cv.Bias >= 0 ? Decode(p.Weights[cv.Bias]) : null;
                    int ih = Hh(cv.Input.Tensor), iw = Ww(cv.Input.Tensor);
                    for (int oy = 0; oy < Hh(cv.Output.Tensor); oy++)
                    for (int ox = 0; ox < Ww(cv.Output.Tensor); ox++)
                    for (int o = 0; o < cv.OutChannels; o++)
                    {
                        double s = b?[o] ?? 0;
                        for (int ky = 0; ky < cv.KernelH; ky++)
                        for (int kx = 0; kx < cv.KernelW; kx++)
                        {
                            int y = oy * cv.StrideH - cv.PadTop + ky, x = ox * cv.StrideW - cv.PadLeft + kx;
                            if (y < 0 || y >= ih || x < 0 || x >= iw) continue;
                            for (int i = 0; i < cv.InChannels; i++)
                                s += At(cv.Input, y, x, i) * f[((ky * cv.KernelW + kx) * cv.InChannels + i) * cv.OutChannels + o];
                        }
                        if (cv.Residual is { } r) s += At(r, oy, ox, o);
                        s = cv.Activation switch
                        {
                            EngineActivation.Relu => Math.Max(0, s),
                            EngineActivation.Sigmoid => Sig(s),
                            EngineActivation.EastHead => o >= 6 ? 0 : o == 0 ? Sig(s) : o < 5 ? Sig(s) * cv.TextScale : (Sig(s) - 0.5) * cv.AngleScale,
                            _ => s,
                        };
                        At(cv.Output, oy, ox, o) = s;
                    }
                    break;
                }
                case MaxPoolLayer mp:
                {
                    int ih = Hh(mp.Input.Tensor), iw = Ww(mp.Input.Tensor);
                    for (int oy = 0; oy < Hh(mp.Output.Tensor); oy++)
                    for (int ox = 0; ox < Ww(mp.Output.Tensor); ox++)
                    for (int c = 0; c < mp.Channels; c++)
                    {
                        double m = double.NegativeInfinity;
                        for (int ky = 0; ky < mp.KernelH; ky++)
                        for (int kx = 0; kx < mp.KernelW; kx++)
                        {
                            int y = oy * mp.StrideH - mp.PadTop + ky, x = ox * mp.StrideW - mp.PadLeft + kx;
                            if (y >= 0 && y < ih && x >= 0 && x < iw) m = Math.Max(m, At(mp.Input, y, x, c));
                        }
                        At(mp.Output, oy, ox, c) = m;
                    }
                    break;
                }
                case AddLayer a:
                    Each(a.Output, a.Channels, (y, x, c) =>
                    {
                        double v = At(a.A, y, x, c) + At(a.B, y, x, c);
                        return a.Relu ? Math.Max(0, v) : v;
                    });
                    break;
                case ResizeBilinearLayer rz:
                {
                    int ih = Hh(rz.Input.Tensor), iw = Ww(rz.Input.Tensor), oh = Hh(rz.Output.Tensor), ow = Ww(rz.Output.Tensor);
                    double sy = (double)ih / oh, sx = (double)iw / ow;
                    Each(rz.Output, rz.Channels, (y, x, c) =>
                    {
                        double fy = y * sy, fx = x * sx;
                        int y0 = (int)Math.Floor(fy), x0 = (int)Math.Floor(fx);
                        int y1 = Math.Min(y0 + 1, ih - 1), x1 = Math.Min(x0 + 1, iw - 1);
                        double dy = fy - y0, dx = fx - x0;
                        double top = At(rz.Input, y0, x0, c) * (1 - dx) + At(rz.Input, y0, x1, c) * dx;
                        double bot = At(rz.Input, y1, x0, c) * (1 - dx) + At(rz.Input, y1, x1, c) * dx;
                        return top * (1 - dy) + bot * dy;
                    });
                    break;
                }
                case ConcatLayer cc:
                {
                    int off = cc.Output.ChannelOffset;
                    foreach (var (input, ch) in cc.Inputs)
                    {
                        var dst = cc.Output with { ChannelOffset = off };
                        Each(dst, ch, (y, x, c) => At(input, y, x, c));
                        off += ch;
                    }
                    if (cc.ZeroChannels > 0) Each(cc.Output with { ChannelOffset = off }, cc.ZeroChannels, (_, _, _) => 0);
                    break;
                }
                case ScaleShiftLayer ss:
                {
                    var scale = Decode(p.Weights[ss.Scale]);
                    var shift = Decode(p.Weights[ss.Shift]);
                    Each(ss.Output, ss.Channels, (y, x, c) =>
                    {
                        double v = At(ss.Input, y, x, c);
                        v = ss.Activation switch { EngineActivation.Relu => Math.Max(0, v), EngineActivation.Sigmoid => Sig(v), _ => v };
                        return v * scale[c] + shift[c];
                    });
                    break;
                }
                case SigmoidLayer sg:
                    Each(sg.Output, sg.Channels, (y, x, c) => Sig(At(sg.Input, y, x, c)));
                    break;
                case GeometryHeadLayer g:
                    Each(g.Output, 5, (y, x, c) =>
                    {
                        double s = Sig(At(g.Input, y, x, c));
                        return c < 4 ? s * g.TextScale : (s - 0.5) * g.AngleScale;
                    });
                    break;
                case ConvertLayer cv:
                    Each(cv.Output, cv.Channels, (y, x, c) => At(cv.Input, y, x, c));
                    break;
                default:
                    throw new NotSupportedException(layer.Kind.ToString());
            }
        }

        return p.Outputs.Select(o =>
        {
            int t = o.Source.Tensor;
            var r = new double[Hh(t) * Ww(t) * o.Channels];
            for (int px = 0; px < Hh(t) * Ww(t); px++)
                for (int c = 0; c < o.Channels; c++)
                    r[px * o.Channels + c] = data[t][px * C(o.Source) + o.Source.ChannelOffset + c];
            return r;
        }).ToArray();

        void Each(TensorRef dst, int channels, Func<int, int, int, double> f)
        {
            var buf = new double[Hh(dst.Tensor) * Ww(dst.Tensor) * channels]; // compute first: dst may alias a source tensor
            for (int y = 0, i = 0; y < Hh(dst.Tensor); y++)
                for (int x = 0; x < Ww(dst.Tensor); x++)
                    for (int c = 0; c < channels; c++) buf[i++] = f(y, x, c);
            for (int y = 0, i = 0; y < Hh(dst.Tensor); y++)
                for (int x = 0; x < Ww(dst.Tensor); x++)
                    for (int c = 0; c < channels; c++) At(dst, y, x, c) = buf[i++];
        }
    }

    public static double[] Decode(EngineWeight w)
    {
        var r = new double[w.Data.Length / (w.DataType == EngineDataType.Float32 ? 4 : 2)];
        for (int i = 0; i < r.Length; i++)
            r[i] = w.DataType == EngineDataType.Float32
                ? BitConverter.ToSingle(w.Data, 4 * i)
                : (double)BitConverter.UInt16BitsToHalf(BitConverter.ToUInt16(w.Data, 2 * i));
        return r;
    }
}
