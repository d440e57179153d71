namespace EastBake.Runtime.Engine;

/// <summary>Layer opcodes; the byte values are part of the serialized format.</summary>
public enum EngineLayerKind : byte
{
    InputConvert = 1,
    Conv2D = 2,
    MaxPool = 3,
    Add = 4,
    ResizeBilinear = 5,
    Concat = 6,
    Sigmoid = 7,
    GeometryHead = 8,
    Convert = 9,
    ScaleShift = 10,
    Quantize = 11,
    QuantizedConv2D = 12,
}

/// <summary>One step of an <see cref="EngineProgram"/>; layers run in list order.</summary>
public abstract class EngineLayer
{
    public abstract EngineLayerKind Kind { get; }
    public string Name { get; init; } = "";
    public Tactic Tactic { get; set; }

    /// <summary>Tensor slices read, each with its channel count.</summary>
    public abstract IEnumerable<(TensorRef Ref, int Channels)> Reads();

    /// <summary>Tensor slices written, each with its channel count.</summary>
    public abstract IEnumerable<(TensorRef Ref, int Channels)> Writes();
}

/// <summary>
/// Host image (float32 NHWC, <see cref="InputChannels"/> channels, input H×W) → first activation.
/// Subtracts <see cref="Mean"/> (when set) from the real channels; output channels beyond
/// InputChannels (alignment padding) are written as 0.
/// </summary>
public sealed class InputConvertLayer : EngineLayer
{
    public override EngineLayerKind Kind => EngineLayerKind.InputConvert;
    public required TensorRef Output { get; init; }
    public int InputChannels { get; init; } = 3;
    public required int OutputChannels { get; init; }
    /// <summary>Per-channel mean (length InputChannels) or null.</summary>
    public float[]? Mean { get; init; }
    public override IEnumerable<(TensorRef, int)> Reads() => [];
    public override IEnumerable<(TensorRef, int)> Writes() => [(Output, OutputChannels)];
}

/// <summary>
/// y = act(conv(x, W) + bias + residual). Explicit zero padding (TF SAME or conv2d_same is lowered
/// to concrete pads); dilation 1. Output size per axis = (in + padA + padB − k) / stride + 1.
/// Filter is HWIO [KH][KW][InChannels][OutChannels] in the input's precision (its
/// <see cref="EngineWeight.Layout"/> says so); bias is Float32 [OutChannels].
/// </summary>
public sealed class Conv2DLayer : EngineLayer
{
    public override EngineLayerKind Kind => EngineLayerKind.Conv2D;
    public required TensorRef Input { get; init; }
    public required TensorRef Output { get; init; }
    /// <summary>Added before the activation; same size as the output, OutChannels channels. Null if none.</summary>
    public TensorRef? Residual { get; init; }
    public required int Filter { get; init; }
    /// <summary>Weight index of the bias, or −1.</summary>
    public int Bias { get; init; } = -1;
    public required int InChannels { get; init; }
    public required int OutChannels { get; init; }
    public required int KernelH { get; init; }
    public required int KernelW { get; init; }
    public int StrideH { get; init; } = 1;
    public int StrideW { get; init; } = 1;
    public int PadTop { get; init; }
    public int PadLeft { get; init; }
    public int PadBottom { get; init; }
    public int PadRight { get; init; }
    public EngineActivation Activation { get; init; }
    /// <summary>Distance scale of <see cref="EngineActivation.EastHead"/> (EAST's text_scale, 512).</summary>
    public float TextScale { get; init; }
    /// <summary>Angle scale of <see cref="EngineActivation.EastHead"/> (π/2).</summary>
    public float AngleScale { get; init; }

    public override IEnumerable<(TensorRef, int)> Reads() =>
        Residual is { } r ? [(Input, InChannels), (r, OutChannels)] : [(Input, InChannels)];
    public override IEnumerable<(TensorRef, int)> Writes() => [(Output, OutChannels)];
}

/// <summary>Max pooling; padded taps are −inf (i.e. ignored), as TF SAME pooling.</summary>
public sealed class MaxPoolLayer : EngineLayer
{
    public override EngineLayerKind Kind => EngineLayerKind.MaxPool;
    public required TensorRef Input { get; init; }
    public required TensorRef Output { get; init; }
    public required int Channels { get; init; }
    public required int KernelH { get; init; }
    public required int KernelW { get; init; }
    public int StrideH { get; init; } = 1;
    public int StrideW { get; init; } = 1;
    public int PadTop { get; init; }
    public int PadLeft { get; init; }
    public int PadBottom { get; init; }
    public int PadRight { get; init; }
    public override IEnumerable<(TensorRef, int)> Reads() => [(Input, Channels)];
    public override IEnumerable<(TensorRef, int)> Writes() => [(Output, Channels)];
}

/// <summary>y = a + b, optionally followed by ReLU.</summary>
public sealed class AddLayer : EngineLayer
{
    public override EngineLayerKind Kind => EngineLayerKind.Add;
    public required TensorRef A { get; init; }
    public required TensorRef B { get; init; }
    public required TensorRef Output { get; init; }
    public required int Channels { get; init; }
    public bool Relu { get; init; }
    public override IEnumerable<(TensorRef, int)> Reads() => [(A, Channels), (B, Channels)];
    public override IEnumerable<(TensorRef, int)> Writes() => [(Output, Channels)];
}

/// <summary>
/// TF legacy bilinear resize (align_corners = false, half_pixel_centers = false): src = dst · in/out,
/// x0 = floor(src), x1 = min(x0 + 1, in − 1), linear blend. Sizes come from the two tensors.
/// </summary>
public sealed class ResizeBilinearLayer : EngineLayer
{
    public override EngineLayerKind Kind => EngineLayerKind.ResizeBilinear;
    public required TensorRef Input { get; init; }
    public required TensorRef Output { get; init; }
    public required int Channels { get; init; }
    public override IEnumerable<(TensorRef, int)> Reads() => [(Input, Channels)];
    public override IEnumerable<(TensorRef, int)> Writes() => [(Output, Channels)];
}

/// <summary>
/// Copy fallback for channel concat: input i goes to channels [off_i, off_i + c_i) of Output, then
/// <see cref="ZeroChannels"/> channels of exact zeros follow (the alignment padding of the buffer).
/// </summary>
public sealed class ConcatLayer : EngineLayer
{
    public override EngineLayerKind Kind => EngineLayerKind.Concat;
    public required IReadOnlyList<(TensorRef Input, int Channels)> Inputs { get; init; }
    public required TensorRef Output { get; init; }
    public int ZeroChannels { get; init; }
    public int TotalChannels => Inputs.Sum(i => i.Channels) + ZeroChannels;
    public override IEnumerable<(TensorRef, int)> Reads() => Inputs.Select(i => (i.Input, i.Channels));
    public override IEnumerable<(TensorRef, int)> Writes() => [(Output, TotalChannels)];
}

/// <summary>y = 1 / (1 + e^−x).</summary>
public sealed class SigmoidLayer : EngineLayer
{
    public override EngineLayerKind Kind => EngineLayerKind.Sigmoid;
    public required TensorRef Input { get; init; }
    public required TensorRef Output { get; init; }
    public required int Channels { get; init; }
    public override IEnumerable<(TensorRef, int)> Reads() => [(Input, Channels)];
    public override IEnumerable<(TensorRef, int)> Writes() => [(Output, Channels)];
}

/// <summary>
/// EAST RBOX geometry from 5 logits: channels 0..3 → sigmoid · TextScale (distances), channel 4 →
/// (sigmoid − 0.5) · AngleScale (angle, π/2 by default).
/// </summary>
public sealed class GeometryHeadLayer : EngineLayer
{
    public const int Channels = 5;
    public override EngineLayerKind Kind => EngineLayerKind.GeometryHead;
    public required TensorRef Input { get; init; }
    public required TensorRef Output { get; init; }
    public float TextScale { get; init; } = 512f;
    public float AngleScale { get; init; } = MathF.PI / 2;
    public override IEnumerable<(TensorRef, int)> Reads() => [(Input, Channels)];
    public override IEnumerable<(TensorRef, int)> Writes() => [(Output, Channels)];
}

/// <summary>Copies a slice between tensors of possibly different precision (mixed-precision boundaries).</summary>
public sealed class ConvertLayer : EngineLayer
{
    public override EngineLayerKind Kind => EngineLayerKind.Convert;
    public required TensorRef Input { get; init; }
    public required TensorRef Output { get; init; }
    public required int Channels { get; init; }
    public override IEnumerable<(TensorRef, int)> Reads() => [(Input, Channels)];
    public override IEnumerable<(TensorRef, int)> Writes() => [(Output, Channels)];
}

/// <summary>
/// y = act(x) · Scale[c] + Shift[c] per channel: the generic form of elementwise arithmetic with
/// constants (Mul/Add/Sub/RealDiv by a constant, a standalone Sigmoid or Relu, and chains of them,
/// e.g. EAST's (sigmoid − 0.5) · π / 2). Scale and Shift are Float32 vectors of length Channels;
/// alignment padding channels have Scale 0 and Shift 0, so they stay exact zeros.
/// </summary>
public sealed class ScaleShiftLayer : EngineLayer
{
    public override EngineLayerKind Kind => EngineLayerKind.ScaleShift;
    public required TensorRef Input { get; init; }
    public required TensorRef Output { get; init; }
    public required int Channels { get; init; }
    /// <summary>Applied to x before the scale and shift (None, Relu or Sigmoid).</summary>
    public EngineActivation Activation { get; init; }
    public required int Scale { get; init; }
    public required int Shift { get; init; }
    public override IEnumerable<(TensorRef, int)> Reads() => [(Input, Channels)];
    public override IEnumerable<(TensorRef, int)> Writes() => [(Output, Channels)];
}

/// <summary>
/// Float → int8 at the boundary into INT8 layers: q = clamp(round_half_even(x / Scale), −128, 127)
/// (ONNX QuantizeLinear's rounding). Output is a dense Int8 tensor of <see cref="Channels"/> channels.
/// </summary>
public sealed class QuantizeLayer : EngineLayer
{
    public override EngineLayerKind Kind => EngineLayerKind.Quantize;
    public required TensorRef Input { get; init; }
    public required TensorRef Output { get; init; }
    public required int Channels { get; init; }
    /// <summary>One int8 step (the calibrated amax / 127).</summary>
    public required float Scale { get; init; }
    public override IEnumerable<(TensorRef, int)> Reads() => [(Input, Channels)];
    public override IEnumerable<(TensorRef, int)> Writes() => [(Output, Channels)];
}

/// <summary>
/// An INT8 convolution: <see cref="Conv"/> gives the geometry, tensors and indices, with an Int8
/// input, an int8 OHWI filter and no separate bias. The int32 accumulator becomes
/// y = act(acc · E[o] + E[Cout + o] + residual) with <see cref="Epilogue"/> E (Float32 [2·Cout]:
/// input step × weight step per output channel, then the bias). A float output stores y; an Int8
/// output stores y requantized with <see cref="OutputScale"/> (when every reader is an INT8 layer).
/// </summary>
public sealed class QuantizedConv2DLayer : EngineLayer
{
    public override EngineLayerKind Kind => EngineLayerKind.QuantizedConv2D;
    public required Conv2DLayer Conv { get; init; }
    public required int Epilogue { get; init; }
    /// <summary>One output step when the output tensor is Int8; 0 otherwise.</summary>
    public float OutputScale { get; init; }
    public override IEnumerable<(TensorRef, int)> Reads() => Conv.Reads();
    public override IEnumerable<(TensorRef, int)> Writes() => Conv.Writes();
}
