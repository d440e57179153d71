using EastBake.Diagnostics;
using EastBake.Runtime.Backends;
using EastBake.Runtime.Plans;
using Microsoft.ML.OnnxRuntime;

namespace EastBake.Runtime.OnnxRuntime;

/// <summary>
/// Runs a plan's ONNX (or TensorRT EPContext) segments through ONNX Runtime. Segments run in
/// the order given; tensors pass between them by name. Sessions are thread-safe for concurrent
/// Run calls.
/// </summary>
public sealed class OnnxRuntimeBackend : IInferenceBackend
{
    private readonly List<(PlanSegment Segment, InferenceSession Session)> _stages = new();
    private readonly string _input;
    private readonly string _score;
    private readonly string _geometry;

    internal OnnxRuntimeBackend(Plan plan, IReadOnlyList<PlanSegment> segments, Func<SessionOptions> options, string description)
    {
        _input = plan.InputName;
        _score = plan.OutputNames[0];
        _geometry = plan.OutputNames[1];
        Description = description;
        try
        {
            foreach (var s in segments)
            {
                using var o = options();
                _stages.Add((s, new InferenceSession(s.Payload, o)));
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Description { get; }
    public bool IsThreadSafe => true;

    public void Run(ReadOnlySpan<float> input, int batch, int height, int width, Span<float> score, Span<float> geometry)
    {
        var values = new Dictionary<string, OrtValue>(StringComparer.Ordinal);
        try
        {
            // ONNX Runtime reads input from a managed array it pins; the copy is the one per-call host buffer.
            var inputArray = input.ToArray();
            values[_input] = OrtValue.CreateTensorValueFromMemory(inputArray, [batch, height, width, 3]);
            foreach (var (seg, session) in _stages)
            {
                var feeds = seg.Inputs.ToDictionary(n => OnnxInputName(n), n => values[n]);
                using var runOptions = new RunOptions();
                using var results = session.Run(runOptions, feeds.Keys.ToList(), feeds.Values.ToList(), seg.Outputs.ToList());
                for (var i = 0; i < seg.Outputs.Count; i++)
                {
                    var r = results[i];
                    var data = r.GetTensorDataAsSpan<float>().ToArray();
                    values[seg.Outputs[i]] = OrtValue.CreateTensorValueFromMemory(data, r.GetTensorTypeAndShape().Shape);
                }
            }
            Copy(values, _score, score);
            Copy(values, _geometry, geometry);
        }
        finally
        {
            foreach (var v in values.Values) v.Dispose();
        }
    }

    /// <summary>Segment inputs are Placeholders named after the tensor with ':' replaced (see SubgraphExtractor).</summary>
    private static string OnnxInputName(string tensor) => tensor.Replace(':', '_');

    private static void Copy(Dictionary<string, OrtValue> values, string name, Span<float> target)
    {
        if (!values.TryGetValue(name, out var v))
            throw new EastBakeException(ErrorCodes.BackendFailed, $"the plan's segments did not produce '{name}'");
        var src = v.GetTensorDataAsSpan<float>();
        if (src.Length != target.Length)
            throw new EastBakeException(ErrorCodes.BackendFailed, $"'{name}' has {src.Length} values, the caller expects {target.Length}");
        src.CopyTo(target);
    }

    public void Dispose()
    {
        foreach (var (_, s) in _stages) s.Dispose();
        _stages.Clear();
    }
}
