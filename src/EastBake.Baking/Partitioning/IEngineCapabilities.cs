using EastBake.Compiler.Ir;

namespace EastBake.Baking.Partitioning;

/// <summary>
/// What an engine backend can run: TF-TRT's "op converter" table. A node is accepted or
/// refused with a reason that goes into the partition report.
/// </summary>
public interface IEngineCapabilities
{
    /// <summary>Engine kind written into plan segments (<c>EngineKinds</c>).</summary>
    string Engine { get; }

    /// <summary>True when the engine runs <paramref name="node"/>; otherwise <paramref name="reason"/> says why not.</summary>
    bool Supports(Node node, out string reason);
}
