using EastBake.Diagnostics;
using EastBake.Runtime.Engine;
using ILGPU;
using ILGPU.Runtime;
using ILGPU.Runtime.Cuda;
using ILGPU.Runtime.OpenCL;
using EastBake.Runtime.Ilgpu.TensorCores;

namespace EastBake.Runtime.Ilgpu;

public sealed class IlgpuExecutorOptions
{
    /// <summary>Receives one-line messages (device chosen, memory plan).</summary>
    public Action<string>? Log { get; init; }

    /// <summary>How FP16 storage is converted; <see cref="Fp16Conversion.Auto"/> unless testing.</summary>
    public Fp16Conversion Fp16Conversion { get; init; }

    /// <summary>Whether layers with tensor-core tactics use them; <see cref="TensorCoreMode.Auto"/> unless testing.</summary>
    public TensorCoreMode TensorCores { get; init; }
}

public enum TensorCoreMode
{
    /// <summary>On CUDA devices with mma.sync (sm_80 and later); elsewhere the portable kernels.</summary>
    Auto = 0,
    /// <summary>Always the portable kernels (tensor-core filters are permuted back at load).</summary>
    Disabled = 1,
    /// <summary>The tensor-core kernels with emulated matrix instructions, on any accelerator (tests).</summary>
    Emulated = 2,
}

public enum Fp16Conversion
{
    /// <summary>Native on CUDA and on OpenCL devices with cl_khr_fp16; integer elsewhere.</summary>
    Auto = 0,
    /// <summary>ILGPU's Half. Note: on ILGPU's CPU accelerator its float→half rounds toward zero.</summary>
    Native = 1,
    /// <summary>Integer bit conversions, round to nearest even; works on every device.</summary>
    Integer = 2,
}

/// <summary>
/// Runs an <see cref="EngineProgram"/> on an ILGPU accelerator. Construction validates the program,
/// uploads all weights once, plans and allocates the activation arena once for the largest shape
/// of the profile, and builds one enqueue step per layer. <see cref="Run(ReadOnlySpan{float}, int, int, Span{float})"/>
/// uploads the image, enqueues every step on one stream without host synchronization or
/// allocation, and synchronizes once when copying the outputs back. Not thread-safe.
/// </summary>
public sealed class IlgpuExecutor : IDisposable
{
    private readonly EngineProgram _program;
    private readonly Context? _ownedContext;
    private readonly Accelerator _accelerator;
    private readonly bool _ownsAccelerator;
    private readonly AcceleratorStream _stream;
    private readonly MemoryBuffer1D<byte, Stride1D.Dense> _arena, _weights;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _image;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>[] _outputs;
    private readonly Step[] _steps;
    private readonly string[] _stepNames;

    /// <summary>Creates the accelerator for <paramref name="device"/> (EB5005 if none) and owns it.</summary>
    public static IlgpuExecutor Create(EngineProgram program, EngineDevice device = EngineDevice.Auto, IlgpuExecutorOptions? options = null)
    {
        var (context, accelerator) = IlgpuDeviceSelector.Create(device, options?.Log);
        try
        {
            return new IlgpuExecutor(program, accelerator, options, context, ownsAccelerator: true);
        }
        catch
        {
            accelerator.Dispose();
            context.Dispose();
            throw;
        }
    }

    /// <summary>Runs on a caller-owned accelerator (not disposed by the executor).</summary>
    public IlgpuExecutor(EngineProgram program, Accelerator accelerator, IlgpuExecutorOptions? options = null)
        : this(program, accelerator, options, null, ownsAccelerator: false) { }

    private IlgpuExecutor(EngineProgram program, Accelerator accelerator, IlgpuExecutorOptions? options, Context? context, bool ownsAccelerator)
    {
        program.Validate();
        _program = program;
        _ownedContext = context;
        _accelerator = accelerator;
        _ownsAccelerator = ownsAccelerator;
        var log = options?.Log;
        NativeFp16 = (options?.Fp16Conversion ?? Fp16Conversion.Auto) switch
        {
            Fp16Conversion.Native => true,
            Fp16Conversion.Integer => false,
            // ILGPU's CPU Half conversion truncates (measured), so the CPU gets the RNE integer path.
            _ => accelerator switch { CLAccelerator cl => cl.Capabilities.Float16, CudaAccelerator => true, _ => false },
        };
        DeviceName = $"{accelerator.AcceleratorType} '{accelerator.Name}'";

        var pr = program.Profile;
        var tensorCoreLayers = TensorCoreLayers(program, accelerator, options?.TensorCores ?? TensorCoreMode.Auto, log);
        var weightData = WeightsForDevice(program, tensorCoreLayers);
        MemoryPlan = MemoryPlanner.Plan(program);
        log?.Invoke($"ILGPU engine on {DeviceName}: {MemoryPlan}; FP16 {(NativeFp16 ? "native" : "integer")} conversions");

        // All weights and input means in one buffer, each at an aligned offset, uploaded once.
        var means = program.Layers.OfType<InputConvertLayer>().ToList();
        long[] weightOffsets = new long[program.Weights.Count + means.Count];
        long cursor = 0;
        for (int i = 0; i < weightOffsets.Length; i++)
        {
            weightOffsets[i] = cursor;
            long len = i < program.Weights.Count ? weightData[i].Data.Length : 4L * program.InputChannels;
            cursor = MemoryPlanner.AlignUp(cursor + Math.Max(len, 4), MemoryPlanner.DefaultAlignment);
        }
        var host = new byte[Math.Max(cursor, 4)];
        for (int i = 0; i < program.Weights.Count; i++) weightData[i].Data.CopyTo(host, weightOffsets[i]);
        for (int m = 0; m < means.Count; m++)
            for (int c = 0; c < program.InputChannels; c++)
                BitConverter.TryWriteBytes(host.AsSpan((int)weightOffsets[program.Weights.Count + m] + 4 * c), means[m].Mean?[c] ?? 0f);

        _stream = accelerator.CreateStream();
        _weights = accelerator.Allocate1D<byte>(host.Length);
        _weights.View.CopyFromCPU(host);
        _arena = accelerator.Allocate1D<byte>(Math.Max(MemoryPlan.PeakBytes, 4));
        _image = accelerator.Allocate1D<float>((long)pr.MaxHeight * pr.MaxWidth * program.InputChannels);
        _outputs = program.Outputs
            .Select(o => accelerator.Allocate1D<float>(program.Tensors[o.Source.Tensor].Height(pr.MaxHeight) *
                (long)program.Tensors[o.Source.Tensor].Width(pr.MaxWidth) * o.Channels))
            .ToArray();

        var ctx = new StepContext(program, accelerator, _arena.View, MemoryPlan, _weights.View, weightOffsets, weightData);
        IKernelLibrary f32 = new KernelLibrary<float, F32Ops>(accelerator);
        IKernelLibrary f16 = NativeFp16 ? new KernelLibrary<ILGPU.Half, F16Ops>(accelerator) : new KernelLibrary<ushort, F16BitsOps>(accelerator);
        IKernelLibrary Lib(TensorRef r) => program.Tensors[r.Tensor].DataType == EngineDataType.Float16 ? f16 : f32;
        // The 8-channel FP16 kernels are inline PTX: CUDA only, and off when the portable kernels are asked for.
        var half8 = accelerator is CudaAccelerator && NativeFp16 && options?.TensorCores != TensorCoreMode.Disabled
            ? new Vector.Half8Library(accelerator) : null;
        var int8TensorCoreLayers = Int8TensorCoreLayers(program, accelerator, options?.TensorCores ?? TensorCoreMode.Auto, log);
        var tensorCores = tensorCoreLayers.Count + int8TensorCoreLayers.Count > 0
            ? new TensorCoreConvLibrary(accelerator, emulate: options?.TensorCores == TensorCoreMode.Emulated)
            : null;

        var steps = new List<Step>();
        var names = new List<string>();
        int meanIndex = 0;
        foreach (var layer in program.Layers)
        {
            names.Add(layer.Name);
            switch (layer)
            {
                case InputConvertLayer ic:
                    var mean = ((ArrayView<byte>)_weights.View).SubView(weightOffsets[program.Weights.Count + meanIndex++], 4L * program.InputChannels).Cast<float>();
                    steps.Add(Lib(ic.Output).InputStep(ic, ctx, _image.View, mean));
                    break;
                case ConvertLayer cv:
                {
                    var inT = ctx.Info(cv.Input);
                    steps.Add(Lib(cv.Input).ConvertTo(Lib(cv.Output), ctx.Tensor(cv.Input.Tensor), inT.Channels, cv.Input.ChannelOffset, inT,
                        ctx.Tensor(cv.Output.Tensor), ctx.Info(cv.Output).Channels, cv.Output.ChannelOffset, cv.Channels, ctx.GroupSize(cv.Tactic)));
                    break;
                }
                case Conv2DLayer conv when tensorCoreLayers.Contains(conv):
                    steps.Add(tensorCores!.Build(conv, ctx));
                    break;
                case QuantizedConv2DLayer q when int8TensorCoreLayers.Contains(q):
                    steps.Add(tensorCores!.Build(q, ctx));
                    break;
                case QuantizedConv2DLayer q:
                    // The float side (residual, float output) decides the storage type; an int8-only layer takes FP16's library if any.
                    var side = q.Conv.Residual ?? q.Conv.Output;
                    steps.Add((program.Tensors[side.Tensor].DataType == EngineDataType.Int8
                        ? program.Tensors.Any(t => t.DataType == EngineDataType.Float16) ? f16 : f32
                        : Lib(side)).Build(q, ctx));
                    break;
                case QuantizeLayer quantize when half8 is not null && Vector.Half8Kernels.EligibleQuantize(program, quantize):
                    steps.Add(half8.Quantize(quantize, ctx));
                    break;
                case QuantizeLayer quantize:
                    steps.Add(Lib(quantize.Input).Build(quantize, ctx));
                    break;
                case MaxPoolLayer pool when half8 is not null && Vector.Half8Kernels.Eligible(program, pool.Input, pool.Output, pool.Channels):
                    steps.Add(half8.Pool(pool, ctx));
                    break;
                case ResizeBilinearLayer resize when half8 is not null && Vector.Half8Kernels.Eligible(program, resize.Input, resize.Output, resize.Channels):
                    steps.Add(half8.Resize(resize, ctx));
                    break;
                default:
                    steps.Add(Lib(layer.Writes().First().Ref).Build(layer, ctx));
                    break;
            }
        }
        // Outputs are gathered into dense float32 staging buffers (also covers FP16 and channel slices).
        for (int i = 0; i < program.Outputs.Count; i++)
        {
            var o = program.Outputs[i];
            var t = ctx.Info(o.Source);
            names.Add("output:" + o.Name);
            steps.Add(Lib(o.Source).ConvertTo(f32, ctx.Tensor(o.Source.Tensor), t.Channels, o.Source.ChannelOffset, t,
                ((ArrayView<float>)_outputs[i].View).Cast<byte>(), o.Channels, 0, o.Channels, ctx.GroupSize(default)));
        }
        _steps = steps.ToArray();
        _stepNames = names.ToArray();
    }

    /// <summary>
    /// The conv layers whose recorded tensor-core tactic runs here. The others fall back to the
    /// portable kernels with their filters permuted back to HWIO, and the fallback is logged.
    /// </summary>
    private static HashSet<Conv2DLayer> TensorCoreLayers(EngineProgram program, Accelerator accelerator, TensorCoreMode mode, Action<string>? log)
    {
        var recorded = program.Layers.OfType<Conv2DLayer>().Where(c => ConvTactics.IsTensorCore(c.Tactic)).ToList();
        var result = new HashSet<Conv2DLayer>();
        if (recorded.Count == 0) return result;
        bool deviceHasThem = RunsTensorCores(accelerator, mode);
        foreach (var c in recorded)
        {
            if (!deviceHasThem) continue;
            if (ConvTactics.Eligible(program, c, out var reason)) result.Add(c);
            else log?.Invoke($"ILGPU engine: layer '{c.Name}' recorded a tensor-core tactic it cannot use ({reason}); using the portable kernel");
        }
        if (!deviceHasThem)
            log?.Invoke($"ILGPU engine: {recorded.Count} layers were tuned for tensor cores, which {accelerator.AcceleratorType} '{accelerator.Name}' " +
                $"lacks{(mode == TensorCoreMode.Disabled ? " (disabled)" : "")}; running the portable kernels");
        return result;
    }

    /// <summary>Whether tensor-core tactics run here: emulated on request, else CUDA with mma.sync (sm_80+) unless disabled.</summary>
    private static bool RunsTensorCores(Accelerator accelerator, TensorCoreMode mode) =>
        mode == TensorCoreMode.Emulated ||
        (mode == TensorCoreMode.Auto && accelerator is CudaAccelerator cuda && cuda.Architecture is { Major: >= 8 });

    /// <summary>The INT8 layers whose recorded tensor-core tactic runs here; the others take the dp4a or scalar INT8 kernels.</summary>
    private static HashSet<QuantizedConv2DLayer> Int8TensorCoreLayers(EngineProgram program, Accelerator accelerator, TensorCoreMode mode, Action<string>? log)
    {
        var recorded = program.Layers.OfType<QuantizedConv2DLayer>().Where(q => ConvTactics.IsTensorCore(q.Tactic)).ToList();
        var result = new HashSet<QuantizedConv2DLayer>();
        bool deviceHasThem = RunsTensorCores(accelerator, mode);
        foreach (var q in recorded)
        {
            if (!deviceHasThem) continue;
            if (ConvTactics.EligibleInt8(program, q, out var reason)) result.Add(q);
            else log?.Invoke($"ILGPU engine: INT8 layer '{q.Name}' recorded a tensor-core tactic it cannot use ({reason}); using the dp4a/scalar kernel");
        }
        if (recorded.Count > 0 && !deviceHasThem)
            log?.Invoke($"ILGPU engine: {recorded.Count} INT8 layers were tuned for tensor cores, which {accelerator.AcceleratorType} '{accelerator.Name}' " +
                "lacks; running the dp4a/scalar INT8 kernels");
        return result;
    }

    /// <summary>Weights as uploaded: a tensor-core filter (OHWI) whose layer falls back is permuted back to HWIO.</summary>
    private static EngineWeight[] WeightsForDevice(EngineProgram program, HashSet<Conv2DLayer> tensorCoreLayers)
    {
        var weights = program.Weights.ToArray();
        foreach (var c in program.Layers.OfType<Conv2DLayer>())
            if (ConvTactics.IsTensorCore(c.Tactic) && !tensorCoreLayers.Contains(c))
                weights[c.Filter] = ConvTactics.Permute(program.Weights[c.Filter], c.KernelH, c.KernelW, c.InChannels, c.OutChannels, inverse: true);
        return weights;
    }

    public MemoryPlan MemoryPlan { get; }
    public string DeviceName { get; }
    public bool NativeFp16 { get; }
    public Accelerator Accelerator => _accelerator;

    /// <summary>Number of floats output <paramref name="index"/> has for an input of height × width.</summary>
    public int OutputLength(int index, int height, int width)
    {
        var o = _program.Outputs[index];
        var t = _program.Tensors[o.Source.Tensor];
        return t.Height(height) * t.Width(width) * o.Channels;
    }

    public void Run(ReadOnlySpan<float> input, int height, int width, Span<float> output0) =>
        Run(input, height, width, output0, default, 1);

    public void Run(ReadOnlySpan<float> input, int height, int width, Span<float> output0, Span<float> output1) =>
        Run(input, height, width, output0, output1, 2);

    private void Run(ReadOnlySpan<float> input, int height, int width, Span<float> output0, Span<float> output1, int given)
    {
        CheckShape(height, width);
        if (given != _program.Outputs.Count)
            throw new ArgumentException($"the program has {_program.Outputs.Count} outputs; {given} given");
        int inputLength = height * width * _program.InputChannels;
        if (input.Length != inputLength)
            throw new ArgumentException($"input has {input.Length} floats, expected {inputLength} ({height}x{width}x{_program.InputChannels})", nameof(input));
        for (int i = 0; i < given; i++)
            if ((i == 0 ? output0.Length : output1.Length) < OutputLength(i, height, width))
                throw new ArgumentException($"output {i} ('{_program.Outputs[i].Name}') needs {OutputLength(i, height, width)} floats");

        _image.View.SubView(0, inputLength).CopyFromCPU(_stream, input);
        foreach (var step in _steps) step(_stream, height, width);
        _outputs[0].View.SubView(0, OutputLength(0, height, width)).CopyToCPU(_stream, output0[..OutputLength(0, height, width)]);
        if (given > 1)
            _outputs[1].View.SubView(0, OutputLength(1, height, width)).CopyToCPU(_stream, output1[..OutputLength(1, height, width)]);
        _stream.Synchronize();
    }

    /// <summary>
    /// Device time of one forward pass on the image already on the device (no host copies), as the
    /// median of <paramref name="iterations"/> passes between stream markers after
    /// <paramref name="warmup"/> untimed ones. Needs a context with profiling enabled.
    /// </summary>
    public double TimeForward(int height, int width, int warmup, int iterations)
    {
        CheckShape(height, width);
        for (int i = 0; i < warmup; i++) foreach (var step in _steps) step(_stream, height, width);
        _stream.Synchronize();
        var times = new double[iterations];
        for (int i = 0; i < iterations; i++)
        {
            using var start = _stream.AddProfilingMarker();
            foreach (var step in _steps) step(_stream, height, width);
            using var end = _stream.AddProfilingMarker();
            times[i] = Math.Abs(end.MeasureFrom(start).TotalMilliseconds);
        }
        Array.Sort(times);
        return times[iterations / 2];
    }

    /// <summary>Per-layer device time (median over <paramref name="iterations"/> passes, milliseconds), in execution order.</summary>
    public IReadOnlyList<(string Layer, double Milliseconds)> ProfileLayers(int height, int width, int iterations)
    {
        CheckShape(height, width);
        var samples = new double[_steps.Length][];
        for (int s = 0; s < _steps.Length; s++) samples[s] = new double[iterations];
        for (int i = 0; i < iterations; i++)
            for (int s = 0; s < _steps.Length; s++)
            {
                using var start = _stream.AddProfilingMarker();
                _steps[s](_stream, height, width);
                using var end = _stream.AddProfilingMarker();
                samples[s][i] = Math.Abs(end.MeasureFrom(start).TotalMilliseconds);
            }
        return samples.Select((t, s) => { Array.Sort(t); return (_stepNames[s], t[iterations / 2]); }).ToList();
    }

    private void CheckShape(int height, int width)
    {
        if (!_program.Profile.ContainsSize(height, width))
            throw new EastBakeException(ErrorCodes.InputShapeOutsideProfile,
                $"input {height}x{width} is outside the engine profile {_program.Profile.MinHeight}x{_program.Profile.MinWidth}.." +
                $"{_program.Profile.MaxHeight}x{_program.Profile.MaxWidth} (multiples of {_program.Profile.SizeMultiple})");
    }

    /// <summary>Fills every activation and output staging byte with 0xFF (NaN in FP32 and FP16) so checks catch unwritten elements.</summary>
    public void Poison()

    {
        _arena.View.MemSet(_stream, 0xFF);
        foreach (var o in _outputs) o.View.MemSet(_stream, 0xFF);
        _stream.Synchronize();
    }

    public void Dispose()
    {
        foreach (var o in _outputs) o.Dispose();
        _image.Dispose();
        _arena.Dispose();
        _weights.Dispose();
        _stream.Dispose();
        if (_ownsAccelerator) _accelerator.Dispose();
        _ownedContext?.Dispose();
    }
}
