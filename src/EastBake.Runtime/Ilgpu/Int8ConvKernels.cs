using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;

namespace EastBake.Runtime.Ilgpu;

/// <summary>What an INT8 convolution writes.</summary>
public enum Int8ConvOutput
{
    /// <summary>y = acc · (s_in · s_w[o]) + bias[o] (then ReLU) as float32.</summary>
    Float = 0,
    /// <summary>y requantized: clamp(round_half_even(y / s_out), −128, 127).</summary>
    Int8 = 1,
    /// <summary>The raw int32 accumulator (tests and debugging).</summary>
    Accumulator = 2,
}

/// <summary>Run-time sizes and scales of one INT8 convolution launch.</summary>
public struct Int8ConvArgs
{
    public int InH, InW, InStride, InChannels, InOffset;
    public int OutH, OutW, OutStride, OutChannels, OutOffset;
    public int PadTop, PadLeft;
    public int ResStride, ResOffset, HasResidual;
    public int Relu;
    public int Mode;          // Int8ConvOutput
    public float InputScale;  // s_in: one input step (1 when the epilogue's scales already include it)
    public float OutputScale; // s_out: one output step (Mode Int8)
    public int Total;         // OutH · OutW · OutChannels
}

/// <summary>Run-time sizes of one quantize launch (float slice → dense int8 slice).</summary>
public struct QuantizeArgs
{
    public int InStride, InOffset, OutStride, OutOffset, Channels, Total;
    public float Scale;
}

/// <summary>
/// INT8 convolution: int8 NHWC input slice (per-tensor scale), int8 OHWI filter [Cout][KH][KW][Cin]
/// (per-output-channel scales), exact INT32 accumulation of the int8 products, and a float
/// epilogue (scales, bias, residual, ReLU) that writes <typeparamref name="T"/>, requantized int8
/// or the accumulator. <c>epilogue</c> holds the Cout scales followed by the Cout biases.
/// One output element per thread, output channel fastest.
/// </summary>
public static class Int8ConvKernels
{
    /// <summary>The portable path (any accelerator; ILGPU's CPU one included): one int8 product per step.</summary>
    public static void Scalar<T, TOps>(ArrayView<sbyte> input, ArrayView<sbyte> filter, ArrayView<float> epilogue, ArrayView<T> residual,
        ArrayView<T> outFloat, ArrayView<sbyte> outInt8, ArrayView<int> outAcc, Int8ConvArgs a,
        SpecializedValue<int> kh, SpecializedValue<int> kw, SpecializedValue<int> sh, SpecializedValue<int> sw)
        where T : unmanaged where TOps : struct, IElementOps<T>
    {
        int idx = Grid.GlobalIndex.X;
        if (idx >= a.Total) return;
        int cout = a.OutChannels, cin = a.InChannels;
        int oc = idx % cout, pixel = idx / cout, ow = pixel % a.OutW, oh = pixel / a.OutW;
        int ih0 = oh * sh.Value - a.PadTop, iw0 = ow * sw.Value - a.PadLeft;
        int acc = 0;
        for (int ky = 0; ky < kh.Value; ky++)
        {
            int ih = ih0 + ky;
            if (ih < 0 || ih >= a.InH) continue;
            for (int kx = 0; kx < kw.Value; kx++)
            {
                int iw = iw0 + kx;
                if (iw < 0 || iw >= a.InW) continue;
                int inBase = (ih * a.InW + iw) * a.InStride + a.InOffset;
                int wBase = ((oc * kh.Value + ky) * kw.Value + kx) * cin;
                for (int ci = 0; ci < cin; ci++) acc += input[inBase + ci] * filter[wBase + ci];
            }
        }
        Store<T, TOps>(acc, oc, pixel, epilogue, residual, outFloat, outInt8, outAcc, a);
    }

    /// <summary>
    /// The CUDA path: four int8 channels packed in each 32-bit word, multiplied and summed by one
    /// <c>dp4a.s32.s32</c> (inline PTX). Needs InChannels, InStride and InOffset multiples of 4 and
    /// 4-byte-aligned tensors; runs only on a CUDA accelerator.
    /// </summary>
    public static void Dp4a<T, TOps>(ArrayView<int> input, ArrayView<int> filter, ArrayView<float> epilogue, ArrayView<T> residual,
        ArrayView<T> outFloat, ArrayView<sbyte> outInt8, ArrayView<int> outAcc, Int8ConvArgs a,
        SpecializedValue<int> kh, SpecializedValue<int> kw, SpecializedValue<int> sh, SpecializedValue<int> sw)
        where T : unmanaged where TOps : struct, IElementOps<T>
    {
        int idx = Grid.GlobalIndex.X;
        if (idx >= a.Total) return;
        int cout = a.OutChannels, cin4 = a.InChannels / 4, stride4 = a.InStride / 4;
        int oc = idx % cout, pixel = idx / cout, ow = pixel % a.OutW, oh = pixel / a.OutW;
        int ih0 = oh * sh.Value - a.PadTop, iw0 = ow * sw.Value - a.PadLeft;
        Ref<int> acc = 0;
        for (int ky = 0; ky < kh.Value; ky++)
        {
            int ih = ih0 + ky;
            if (ih < 0 || ih >= a.InH) continue;
            for (int kx = 0; kx < kw.Value; kx++)
            {
                int iw = iw0 + kx;
                if (iw < 0 || iw >= a.InW) continue;
                int inBase = (ih * a.InW + iw) * stride4 + a.InOffset / 4;
                int wBase = ((oc * kh.Value + ky) * kw.Value + kx) * cin4;
                for (int c4 = 0; c4 < cin4; c4++)
                {
                    Input<int> x = input[inBase + c4];
                    Input<int> w = filter[wBase + c4];
                    CudaAsm.EmitRef("dp4a.s32.s32 %0, %1, %2, %0;", ref acc, ref x, ref w);
                }
            }
        }
        Store<T, TOps>(acc.Value, oc, pixel, epilogue, residual, outFloat, outInt8, outAcc, a);
    }

    private static void Store<T, TOps>(int acc, int oc, int pixel, ArrayView<float> epilogue, ArrayView<T> residual,
        ArrayView<T> outFloat, ArrayView<sbyte> outInt8, ArrayView<int> outAcc, Int8ConvArgs a)
        where T : unmanaged where TOps : struct, IElementOps<T>
    {
        int at = pixel * a.OutStride + a.OutOffset + oc;
        if (a.Mode == (int)Int8ConvOutput.Accumulator)
        {
            outAcc[at] = acc;
            return;
        }
        float y = acc * (a.InputScale * epilogue[oc]) + epilogue[a.OutChannels + oc];
        if (a.HasResidual != 0) y += default(TOps).ToFloat(residual[pixel * a.ResStride + a.ResOffset + oc]);
        if (a.Relu != 0 && y < 0f) y = 0f;
        if (a.Mode == (int)Int8ConvOutput.Float) outFloat[at] = default(TOps).FromFloat(y);
        else outInt8[at] = Requantize(y, a.OutputScale);
    }

    /// <summary>clamp(round_half_even(y / scale), −128, 127), as QuantizeLinear and TensorRT round.</summary>
    public static sbyte Requantize(float y, float scale)
    {
        float v = y / scale;
        if (v >= 127f) return 127;
        if (v <= -128f) return -128;
        float r = MathF.Floor(v + 0.5f);
        if (r - v == 0.5f && ((int)r & 1) != 0) r -= 1f;
        return (sbyte)(int)r;
    }

    /// <summary>Float slice → int8 slice with a per-tensor scale (the boundary into INT8 layers).</summary>
    public static void Quantize<T, TOps>(ArrayView<T> input, ArrayView<sbyte> output, QuantizeArgs a)
        where T : unmanaged where TOps : struct, IElementOps<T>
    {
        int i = Grid.GlobalIndex.X;
        if (i >= a.Total) return;
        int pixel = i / a.Channels, c = i - pixel * a.Channels;
        output[pixel * a.OutStride + a.OutOffset + c] = Requantize(default(TOps).ToFloat(input[pixel * a.InStride + a.InOffset + c]), a.Scale);
    }
}

/// <summary>
/// Loads and launches the INT8 convolution on an accelerator: the dp4a kernel on CUDA when
/// <see cref="UseDp4a"/>, the scalar kernel everywhere else (the reference path). Float outputs
/// and residuals are stored as <typeparamref name="T"/>.
/// </summary>
public sealed class Int8Convolution<T, TOps> where T : unmanaged where TOps : struct, IElementOps<T>
{
    private readonly Accelerator _acc;
    private Action<AcceleratorStream, KernelConfig, ArrayView<sbyte>, ArrayView<sbyte>, ArrayView<float>, ArrayView<T>, ArrayView<T>, ArrayView<sbyte>,
        ArrayView<int>, Int8ConvArgs, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>>? _scalar;
    private Action<AcceleratorStream, KernelConfig, ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<T>, ArrayView<T>, ArrayView<sbyte>,
        ArrayView<int>, Int8ConvArgs, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>>? _dp4a;

    /// <param name="preferDp4a">Use dp4a when the accelerator is CUDA (false: always the scalar reference kernel).</param>
    public Int8Convolution(Accelerator accelerator, bool preferDp4a = true)
    {
        _acc = accelerator;
        UseDp4a = preferDp4a && accelerator is CudaAccelerator;
    }

    public bool UseDp4a { get; }

    /// <summary>Whether the dp4a kernel can run these channels (else the scalar one runs).</summary>
    public static bool Dp4aFits(in Int8ConvArgs a) => a.InChannels % 4 == 0 && a.InStride % 4 == 0 && a.InOffset % 4 == 0;

    /// <summary>Enqueues one convolution; <paramref name="kernel"/> is (KH, KW, SH, SW).</summary>
    public void Launch(AcceleratorStream stream, ArrayView<sbyte> input, ArrayView<sbyte> filterOhwi, ArrayView<float> epilogue, ArrayView<T> residual,
        ArrayView<T> outFloat, ArrayView<sbyte> outInt8, ArrayView<int> outAcc, Int8ConvArgs a, (int KH, int KW, int SH, int SW) kernel, int group = 0)
    {
        if (group <= 0) group = _acc.AcceleratorType == AcceleratorType.CPU ? 1 : Math.Min(256, _acc.MaxNumThreadsPerGroup);
        var config = new KernelConfig((a.Total + group - 1) / group, group);
        var (kh, kw, sh, sw) = (SpecializedValue.New(kernel.KH), SpecializedValue.New(kernel.KW), SpecializedValue.New(kernel.SH), SpecializedValue.New(kernel.SW));
        if (UseDp4a && Dp4aFits(a))
        {
            _dp4a ??= _acc.LoadKernel<ArrayView<int>, ArrayView<int>, ArrayView<float>, ArrayView<T>, ArrayView<T>, ArrayView<sbyte>, ArrayView<int>, Int8ConvArgs,
                SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>>(Int8ConvKernels.Dp4a<T, TOps>);
            _dp4a(stream, config, input.Cast<int>(), filterOhwi.Cast<int>(), epilogue, residual, outFloat, outInt8, outAcc, a, kh, kw, sh, sw);
        }
        else
        {
            _scalar ??= _acc.LoadKernel<ArrayView<sbyte>, ArrayView<sbyte>, ArrayView<float>, ArrayView<T>, ArrayView<T>, ArrayView<sbyte>, ArrayView<int>, Int8ConvArgs,
                SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>, SpecializedValue<int>>(Int8ConvKernels.Scalar<T, TOps>);
            _scalar(stream, config, input, filterOhwi, epilogue, residual, outFloat, outInt8, outAcc, a, kh, kw, sh, sw);
        }
    }
}
