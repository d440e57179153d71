using System.Globalization;
using EastBake.Baking.Calibration;
using EastBake.Compiler.Ir;
using EastBake.Runtime.Calibration;
using EastBake.Runtime.Engine;
using EastBake.Runtime.Plans;
using Tensor = EastBake.Compiler.Ir.Tensor;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>What the INT8 pass did to a program (the plan's <c>engine.int8</c> property).</summary>
public sealed record Int8LoweringReport(int Int8Layers, int Int8Outputs, int QuantizeLayers, IReadOnlyList<string> HigherPrecision)
{
    public override string ToString() =>
        $"INT8 convolutions: {Int8Layers} ({Int8Outputs} write int8, {QuantizeLayers} quantize layers); FP16: {HigherPrecision.Count}" +
        (HigherPrecision.Count == 0 ? "" : " (" + string.Join("; ", HigherPrecision) + ")");
}

/// <summary>
/// Turns an FP16 engine program into the INT8 plan's mixed-precision program, per the calibration's
/// layer choices (<see cref="LayerPrecisionPolicy"/>): each convolution chosen for INT8 becomes a
/// <see cref="QuantizedConv2DLayer"/> with an int8 OHWI filter (per-output-channel scales from the
/// float filter, as <see cref="PrecisionEmulation"/> does) and an epilogue of input step × weight
/// step and the bias. Its input is quantized with the calibrated scale of that tensor, by a
/// <see cref="QuantizeLayer"/> placed before the first reader, or, when the producer is itself an
/// INT8 convolution read only by INT8 convolutions, by that producer's epilogue (an int8 tensor:
/// half the bytes of FP16 and no extra pass). Everything else stays FP16. The arithmetic matches
/// ONNX Runtime on the emulation graph: the same quantized operands, exact integer sums.
/// </summary>
public static class Int8Lowering
{
    /// <summary>Input channels of an INT8 convolution must be a multiple of this (int8 16-byte copies).</summary>
    public const int ChannelMultiple = 16;

    public static Int8LoweringReport Apply(EngineProgram program, Graph segment, CalibrationTable calibration)
    {
        var layerPrecision = calibration.Layers.ToDictionary(l => l.Layer, StringComparer.Ordinal);
        var higher = new List<string>();
        var chosen = new Dictionary<Conv2DLayer, (float InputScale, Node Node)>();
        foreach (var c in program.Layers.OfType<Conv2DLayer>())
        {
            var irName = c.Name.Split('+')[0];
            var node = segment.Find(irName);
            string? reason = null;
            if (node is null || !layerPrecision.TryGetValue(irName, out var lp)) reason = "no calibration entry";
            else if (lp.Precision != Precision.INT8) reason = lp.Reason;
            else if (c.Activation is not (EngineActivation.None or EngineActivation.Relu)) reason = $"fused {c.Activation}";
            else if (c.InChannels % ChannelMultiple != 0) reason = $"{c.InChannels} input channels (INT8 needs multiples of {ChannelMultiple})";
            else if (!calibration.Tensors.TryGetValue(node.Inputs[0].Name, out var range)) reason = $"no calibrated range for '{node.Inputs[0].Name}'";
            else
            {
                chosen[c] = (range.Scale, node);
                continue;
            }
            higher.Add($"{irName}: {reason}");
        }

        // One int8 version per input slice; a producer writes it directly when only INT8 layers read its tensor.
        var byInput = chosen.Keys.GroupBy(c => (c.Input, c.InChannels)).ToList();
        var outputs = program.Outputs.Select(o => o.Source.Tensor).ToHashSet();
        var int8Input = new Dictionary<Conv2DLayer, TensorRef>();
        var outputScale = new Dictionary<Conv2DLayer, float>();
        var quantizeBefore = new Dictionary<EngineLayer, List<QuantizeLayer>>();
        foreach (var group in byInput)
        {
            var (input, channels) = group.Key;
            float scale = chosen[group.First()].InputScale;
            if (group.Any(c => chosen[c].InputScale != scale))
                throw new InvalidOperationException($"INT8 layers reading '{program.Tensors[input.Tensor].Name}' disagree on its scale");
            var t = program.Tensors[input.Tensor];
            var writers = program.Layers.Where(l => l.Writes().Any(w => w.Ref.Tensor == input.Tensor)).ToList();
            var readers = program.Layers.Where(l => l.Reads().Any(r => r.Ref.Tensor == input.Tensor)).ToList();
            if (input.ChannelOffset == 0 && channels == t.Channels && !outputs.Contains(input.Tensor) &&
                writers is [Conv2DLayer producer] && chosen.ContainsKey(producer) && producer.Residual is null &&
                producer.Output == input && producer.OutChannels == t.Channels &&
                readers.All(r => r is Conv2DLayer rc && group.Contains(rc) && rc.Residual?.Tensor != input.Tensor))
            {
                program.Tensors[input.Tensor] = new EngineTensor(t.Name, t.Channels, t.ScaleDen, EngineDataType.Int8, t.ScaleNum,
                    t.WidthScaleNum, t.WidthScaleDen);
                outputScale[producer] = scale;
                foreach (var c in group) int8Input[c] = input;
                continue;
            }
            program.Tensors.Add(new EngineTensor(t.Name + "/int8", channels, t.ScaleDen, EngineDataType.Int8, t.ScaleNum,
                t.WidthScaleNum, t.WidthScaleDen));
            var q = new TensorRef(program.Tensors.Count - 1);
            var first = program.Layers.First(l => l is Conv2DLayer c && group.Contains(c));
            (quantizeBefore.TryGetValue(first, out var list) ? list : quantizeBefore[first] = [])
                .Add(new QuantizeLayer { Name = t.Name + "/quantize", Input = input, Output = q, Channels = channels, Scale = scale });
            foreach (var c in group) int8Input[c] = q;
        }

        var layers = new List<EngineLayer>();
        foreach (var layer in program.Layers)
        {
            if (quantizeBefore.TryGetValue(layer, out var qs)) layers.AddRange(qs);
            if (layer is not Conv2DLayer c || !chosen.TryGetValue(c, out var info))
            {
                layers.Add(layer);
                continue;
            }
            var (filter, weightScales) = QuantizedFilter(program, c, info.Node);
            program.Weights[c.Filter] = new EngineWeight(program.Weights[c.Filter].Name, EngineDataType.Int8,
                System.Runtime.InteropServices.MemoryMarshal.AsBytes(filter.AsSpan()).ToArray(), WeightLayout.Ohwi);
            var bias = c.Bias >= 0 ? program.Weights[c.Bias].ToFloats() : new float[c.OutChannels];
            var epilogue = new float[2 * c.OutChannels];
            for (int o = 0; o < c.OutChannels; o++)
            {
                epilogue[o] = info.InputScale * weightScales[o];
                epilogue[c.OutChannels + o] = bias[o];
            }
            var epilogueWeight = EngineWeight.FromFloats(c.Name.Split('+')[0] + "/int8_epilogue", epilogue);
            int epilogueIndex;
            if (c.Bias >= 0) program.Weights[epilogueIndex = c.Bias] = epilogueWeight; // the bias lives on inside it
            else { program.Weights.Add(epilogueWeight); epilogueIndex = program.Weights.Count - 1; }
            layers.Add(new QuantizedConv2DLayer
            {
                Name = c.Name, Tactic = default, Epilogue = epilogueIndex, OutputScale = outputScale.GetValueOrDefault(c),
                Conv = new Conv2DLayer
                {
                    Name = c.Name, Input = int8Input[c], Output = c.Output, Residual = c.Residual, Filter = c.Filter, Bias = -1,
                    InChannels = c.InChannels, OutChannels = c.OutChannels, KernelH = c.KernelH, KernelW = c.KernelW,
                    StrideH = c.StrideH, StrideW = c.StrideW, PadTop = c.PadTop, PadLeft = c.PadLeft, PadBottom = c.PadBottom,
                    PadRight = c.PadRight, Activation = c.Activation,
                },
            });
        }
        program.Layers.Clear();
        program.Layers.AddRange(layers);
        return new Int8LoweringReport(chosen.Count, outputScale.Count, quantizeBefore.Values.Sum(l => l.Count), higher);
    }

    /// <summary>
    /// The int8 OHWI filter and its per-output-channel steps: from the graph's float32 filter when its
    /// shape is the layer's (exactly the emulation's weights), else from the program's (channel-padded) copy.
    /// </summary>
    private static (sbyte[] Ohwi, float[] Scales) QuantizedFilter(EngineProgram program, Conv2DLayer c, Node node)
    {
        long[] shape = [c.KernelH, c.KernelW, c.InChannels, c.OutChannels];
        if (node.Inputs.Count > 1 && node.Inputs[1].Producer is { IsConst: true } f && f.ConstValue.Floats is not null &&
            f.ConstValue.Shape.SequenceEqual(shape))
            return WeightScales.QuantizeToOhwi(f.ConstValue);
        var w = program.Weights[c.Filter];
        if (w.Layout != WeightLayout.Hwio)
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"layer '{c.Name}': filter is {w.Layout}, expected HWIO"));
        return WeightScales.QuantizeToOhwi(Tensor.FromFloats(shape, w.ToFloats()));
    }
}
