using EastBake.Compiler.Protos.Tf;

namespace EastBake.Compiler.Import.Checkpoints;

/// <summary>A GraphDef frozen from variables, with the inputs and outputs the import should use.</summary>
public sealed record FrozenModel(GraphDef Graph, ImportOptions Options);
