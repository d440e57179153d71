using EastBake.Compiler.Ir;
using EastBake.Diagnostics;
using EastBake.Runtime.Plans;

namespace EastBake.Baking.Pipeline;

/// <summary>Lowers an optimized ILGPU segment into the engine's program (weights in kernel layout and precision).</summary>
public static class IlgpuLowering
{
    public static byte[] Lower(Graph segment, Precision precision, ShapeProfile profile, IDictionary<string, string> properties) =>
        throw new EastBakeException(ErrorCodes.NoEngineSegment,
            "the ILGPU engine lowering is not available in this build; bake with Backends=\"Onnx\"", segment.SourceFile);
}
