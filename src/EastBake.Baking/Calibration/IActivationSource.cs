namespace EastBake.Baking.Calibration;

/// <summary>Receives one tensor's values of one run; called concurrently for different indices.</summary>
public delegate void TensorSink(int tensorIndex, ReadOnlySpan<float> values);

/// <summary>Runs the FP32 network on one preprocessed image and hands over the requested intermediate tensors.</summary>
public interface IActivationSource : IDisposable
{
    /// <summary>Names of the tensors delivered, in index order.</summary>
    IReadOnlyList<string> Tensors { get; }

    /// <summary>Executor and device, for the log.</summary>
    string Description { get; }

    /// <summary>Runs one NHWC image (batch 1) and calls <paramref name="sink"/> once per tensor.</summary>
    void Run(float[] nhwc, int height, int width, TensorSink sink);
}
