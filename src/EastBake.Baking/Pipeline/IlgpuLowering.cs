using System.Globalization;
using EastBake.Baking.Pipeline.Lowering;
using EastBake.Compiler.Ir;
using EastBake.Diagnostics;
using EastBake.Runtime.Calibration;
using EastBake.Runtime.Engine;
using EastBake.Runtime.Ilgpu;
using EastBake.Runtime.Plans;

namespace EastBake.Baking.Pipeline;

/// <summary>
/// Lowers an optimized ILGPU segment into the engine's program: tensors with channel alignment,
/// weights in kernel layout and the plan's precision, fused layers (see docs/ENGINE.md).
/// </summary>
public static class IlgpuLowering
{
    /// <summary>The serialized program (the segment payload); adds layer and memory facts to <paramref name="properties"/>.</summary>
    /// <param name="tune">Measures tactics on a GPU (returns the architecture and layer count), or null for the heuristic.</param>
    /// <param name="calibration">The INT8 plan's calibration (required for INT8).</param>
    public static byte[] Lower(Graph segment, Precision precision, ShapeProfile profile, IDictionary<string, string> properties,
        LoweringOptions? options = null, Func<EngineProgram, (string Architecture, int Layers)?>? tune = null,
        CalibrationTable? calibration = null)
    {
        var program = LowerProgram(segment, precision, profile, options ?? LoweringOptions.Default, calibration, properties);
        var measured = tune?.Invoke(program);
        int tuned = measured?.Layers ?? Tuning.ConvTacticSelector.ApplyHeuristics(program, profile);
        var plan = MemoryPlanner.Plan(program);
        properties["engine.layers"] = string.Join(",", program.Layers.GroupBy(l => l.Kind).OrderBy(g => g.Key)
            .Select(g => $"{g.Key}:{g.Count()}"));
        properties["engine.activation_bytes"] = plan.PeakBytes.ToString(CultureInfo.InvariantCulture);
        properties["engine.weight_bytes"] = program.Weights.Sum(w => (long)w.Data.Length).ToString(CultureInfo.InvariantCulture);
        properties["engine.channel_alignment"] = (options ?? LoweringOptions.Default).ChannelAlignment.ToString(CultureInfo.InvariantCulture);
        // Tensor-core tactics need mma.sync (sm_80+); elsewhere the executor falls back to the portable kernels.
        properties["engine.tactics"] = tuned == 0 ? "default"
            : measured is { } m ? $"measured on {m.Architecture}; tensor-core convolutions: {tuned}"
            : $"heuristic; tensor-core convolutions: {tuned} (sm_80+)";
        return EngineProgramSerializer.Serialize(program);
    }

    /// <summary>
    /// The engine program for an optimized segment with inferred shapes (the graph is topologically
    /// sorted in place, otherwise unchanged). Unsupported nodes are EB2101, INT8 without a
    /// calibration is EB2102, sizes that are no fixed fraction of the input over the profile are EB2103.
    /// An INT8 program is the FP16 one with the calibration's INT8 convolutions quantized (<see cref="Int8Lowering"/>).
    /// </summary>
    public static EngineProgram LowerProgram(Graph segment, Precision precision, ShapeProfile profile, LoweringOptions? options = null,
        CalibrationTable? calibration = null, IDictionary<string, string>? properties = null)
    {
        var type = precision switch
        {
            Precision.FP32 => EngineDataType.Float32,
            Precision.FP16 => EngineDataType.Float16,
            Precision.INT8 when calibration is not null => EngineDataType.Float16,
            _ => throw new EastBakeException(ErrorCodes.LoweringPrecisionUnsupported,
                $"the ILGPU engine runs {precision} plans only with an INT8 calibration (CalibrationImages); none was given", segment.SourceFile),
        };
        var program = new GraphLowerer(segment, type, profile, options ?? LoweringOptions.Default).Run();
        if (precision == Precision.INT8)
        {
            var report = Int8Lowering.Apply(program, segment, calibration!);
            if (properties is not null) properties["engine.int8"] = report.ToString();
        }
        try
        {
            program.Validate();
        }
        catch (EastBakeException e)
        {
            throw new EastBakeException(ErrorCodes.LoweringShapeUnsupported,
                $"ILGPU lowering: the engine program does not fit the profile {profile}: {e.Message}", segment.SourceFile, e.Node, inner: e);
        }
        ProgramChecks.EveryChannelWritten(program);
        return program;
    }
}
