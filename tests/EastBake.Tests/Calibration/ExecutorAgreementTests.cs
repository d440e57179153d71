using EastBake.Baking.Calibration;
using EastBake.Compiler.Ir;
using EastBake.Compiler.Onnx;
using EastBake.Compiler.Reference;
using EastBake.Runtime.Detection;
using Xunit.Abstractions;
using Tensor = EastBake.Compiler.Ir.Tensor;

namespace EastBake.Tests.Calibration;

/// <summary>
/// The statistics do not depend on the executor: ONNX Runtime on the exported graph and the
/// float64 reference interpreter on the IR give the same ranges within float noise.
/// </summary>
public class ExecutorAgreementTests(ITestOutputHelper output)
{
    /// <summary>The reference interpreter as an activation source (tensors without an IR value, the ONNX-only preacts, are not delivered).</summary>
    private sealed class ReferenceSource(Graph graph, IReadOnlyList<string> tensors) : IActivationSource
    {
        public IReadOnlyList<string> Tensors => tensors;
        public string Description => "reference interpreter (float64)";
        public void Run(float[] nhwc, int height, int width, TensorSink sink)
        {
            var feeds = new Dictionary<string, Tensor> { [graph.Inputs[0].Name] = Tensor.FromFloats([1, height, width, 3], (float[])nhwc.Clone()) };
            var all = ReferenceInterpreter.Run(graph, feeds, keepAll: true);
            for (var i = 0; i < tensors.Count; i++)
                if (all.TryGetValue(tensors[i], out var t)) sink(i, t.Floats);
        }
        public void Dispose() { }
    }

    [Fact]
    public void OnnxRuntimeAndTheReferenceInterpreterGiveTheSameRanges()
    {
        using var tmp = new TempFolder();
        var model = CalibrationGraphs.WriteModel(tmp["w16.pb"], 16, (ulong)Distributions.FreshSeed());
        var graph = CalibrationGraphs.LoadOptimized(model, 64, 96);
        var layers = LayerPrecisionPolicy.Choose(graph);
        var onnx = OnnxExporter.Export(graph);
        var tensors = CalibrationTargets.Find(graph, onnx, layers);
        var images = CalibrationImageSet.Open(CalibrationImages.Folder(tmp["calib"], 3, Distributions.FreshSeed()), 10);
        var pre = new Preprocessor(new PreprocessorOptions { FixedSize = (64, 96), SubtractMeans = false });

        CollectedStatistics ort, reference;
        using (var source = new OnnxActivationSource(onnx, tensors)) ort = ActivationStatistics.Collect(source, images, pre, 64, 96, new RecordingLog());
        reference = ActivationStatistics.Collect(new ReferenceSource(graph, tensors), images, pre, 64, 96, new RecordingLog());

        var compared = 0;
        double worstMax = 0, worstPercentile = 0;
        for (var i = 0; i < tensors.Count; i++)
        {
            var (a, b) = (ort.Histograms[i], reference.Histograms[i]);
            if (b.Count == 0) continue; // preact: an ONNX tensor only
            compared++;
            Assert.Equal(b.Count, a.Count);
            var relMax = Math.Abs(a.ObservedMax - b.ObservedMax) / b.ObservedMax;
            worstMax = Math.Max(worstMax, relMax);
            Assert.True(relMax < 1e-4, $"{tensors[i]}: max {a.ObservedMax} (ORT) vs {b.ObservedMax} (reference)");
            var pa = new PercentileCalibrator(99.99).Amax(a);
            var pb = new PercentileCalibrator(99.99).Amax(b);
            var relP = Math.Abs(pa - pb) / pb;
            worstPercentile = Math.Max(worstPercentile, relP);
            Assert.True(Math.Abs(pa - pb) <= 2 * b.BinWidth + 1e-4 * pb, $"{tensors[i]}: p99.99 {pa} vs {pb}");
        }
        output.WriteLine($"{compared} of {tensors.Count} tensors compared (the rest are ONNX-only preacts); worst relative max difference {worstMax:E2}, worst p99.99 {worstPercentile:E2}");
        Assert.True(compared >= tensors.Count / 2);
    }
}
