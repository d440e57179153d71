using EastBake.Compiler.Ir;
using EastBake.Runtime.Engine;

namespace EastBake.Baking.Pipeline.Lowering;

/// <summary>
/// Channel concats as one buffer: input i owns channels [off_i, off_i + c_i); the last input
/// also covers the buffer's alignment padding. Each input's producer writes straight into its
/// slice (<see cref="For"/>), and its other readers read it there (a slice keeps the buffer's pixel
/// stride): EAST's skip connections feed the next backbone block and a feature-merge concat.
/// Inputs that cannot be written in place (the image, a value in two concats, a producer that
/// cannot write the slice) are copied when the concat itself is lowered.
/// </summary>
internal sealed class ConcatTargets(ProgramBuilder builder, bool enabled)
{
    private sealed class Buffer(Node concat, int[] offsets, int[] channels, int total)
    {
        public Node Concat { get; } = concat;
        public int[] Offsets { get; } = offsets;
        public int[] Channels { get; } = channels;
        public int Total { get; } = total;
        public bool[] Written { get; } = new bool[channels.Length];
        public ActValue? Value { get; set; }
    }

    private readonly Dictionary<Node, Buffer> _buffers = [];
    private readonly Dictionary<Value, (Buffer Buffer, int Index)> _members = [];

    /// <summary>Registers a channel concat (inputs in order, each with its channel count).</summary>
    public void Plan(Node concat, IReadOnlyList<(Value Input, int Channels)> inputs)
    {
        var offsets = new int[inputs.Count];
        int total = 0;
        for (int i = 0; i < inputs.Count; i++) { offsets[i] = total; total += inputs[i].Channels; }
        var buffer = new Buffer(concat, offsets, inputs.Select(i => i.Channels).ToArray(), total);
        _buffers[concat] = buffer;
        if (!enabled) return;
        for (int i = 0; i < inputs.Count; i++)
            if (inputs.Count(x => x.Input == inputs[i].Input) == 1) _members.TryAdd(inputs[i].Input, (buffer, i));
    }

    public bool IsPlanned(Node concat) => _buffers.ContainsKey(concat);

    /// <summary>
    /// Where the producer of <paramref name="v"/> writes: its concat slice when <paramref name="v"/>
    /// feeds a concat and the producer can write <c>count</c> channels there, else a fresh tensor.
    /// </summary>
    public Destination For(Value v, string name, int channels, SpatialScale scale, Func<int, bool> canWrite)
    {
        if (_members.TryGetValue(v, out var m))
        {
            var b = m.Buffer;
            bool last = m.Index == b.Channels.Length - 1;
            int count = b.Channels[m.Index] + (last ? builder.Align(b.Total) - b.Total : 0);
            var buffer = BufferValue(b, scale);
            if (buffer.Scale == scale && b.Channels[m.Index] == channels && canWrite(count))
            {
                var slice = buffer.Ref with { ChannelOffset = b.Offsets[m.Index] };
                return new Destination(slice, count, new ActValue(slice, channels, count, scale), () => b.Written[m.Index] = true);
            }
        }
        return builder.Fresh(name, channels, scale);
    }

    /// <summary>Lowers the concat: copies the inputs not written in place, returns the buffer.</summary>
    public ActValue Complete(Node concat, IReadOnlyList<ActValue> inputs, SpatialScale scale)
    {
        var b = _buffers[concat];
        var buffer = BufferValue(b, scale);
        for (int i = 0; i < inputs.Count; i++)
        {
            if (b.Written[i]) continue;
            bool last = i == inputs.Count - 1;
            builder.Add(new ConcatLayer
            {
                Name = $"{concat.Name}/input_{i}", Inputs = [(inputs[i].Ref, b.Channels[i])],
                Output = buffer.Ref with { ChannelOffset = b.Offsets[i] },
                ZeroChannels = last ? builder.Align(b.Total) - b.Total : 0,
            });
        }
        return buffer;
    }

    private ActValue BufferValue(Buffer b, SpatialScale scale) => b.Value ??= builder.Fresh(b.Concat.Name, b.Total, scale).Value;
}
