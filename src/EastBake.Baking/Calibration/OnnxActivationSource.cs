using EastBake.Compiler.Protos.Onnx;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;

namespace EastBake.Baking.Calibration;

/// <summary>
/// ONNX Runtime (CPU) over the exported FP32 graph, with the tensors to calibrate added as graph
/// outputs (ORT keeps a node whose output is a graph output, so fusions cannot hide them).
/// </summary>
public sealed class OnnxActivationSource : IActivationSource
{
    private readonly InferenceSession _session;
    private readonly string _input;
    private readonly string[] _outputs;

    public OnnxActivationSource(ModelProto fp32Model, IReadOnlyList<string> tensors, int intraOpThreads = 0)
    {
        var model = fp32Model.Clone();
        var existing = model.Graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var t in tensors.Where(t => !existing.Contains(t)))
            model.Graph.Output.Add(new ValueInfoProto
            {
                Name = t,
                Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
            });
        if (model.Graph.Input.Count != 1)
            throw new InvalidOperationException($"calibration needs a graph with one input, this one has {model.Graph.Input.Count}");
        _input = model.Graph.Input[0].Name;
        _outputs = tensors.ToArray();
        using var options = new SessionOptions { GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
        if (intraOpThreads > 0) options.IntraOpNumThreads = intraOpThreads;
        _session = new InferenceSession(model.ToByteArray(), options);
    }

    public IReadOnlyList<string> Tensors => _outputs;

    public string Description => "ONNX Runtime CPU";

    public void Run(float[] nhwc, int height, int width, TensorSink sink)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(nhwc, [1, height, width, 3]);
        using var run = new RunOptions();
        using var results = _session.Run(run, [_input], [input], _outputs);
        Parallel.For(0, _outputs.Length, i => sink(i, results[i].GetTensorDataAsSpan<float>()));
    }

    public void Dispose() => _session.Dispose();
}
