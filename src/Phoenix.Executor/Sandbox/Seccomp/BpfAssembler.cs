namespace Phoenix.Executor.Sandbox.Seccomp;

/// <summary>
/// A tiny classic-BPF assembler: instructions refer to named labels, which are resolved
/// to the relative, forward-only, 8-bit jump offsets classic BPF requires.
/// </summary>
/// <remarks>
/// A conditional jump names the label taken when the condition holds and, optionally, the
/// label taken when it does not; a missing label means "fall through to the next instruction".
/// <see cref="Assemble"/> throws if a label is undefined, defined twice, behind the jump, or
/// more than 255 instructions ahead.
/// </remarks>
internal sealed class BpfAssembler
{
    private readonly List<PendingInstruction> _instructions = [];
    private readonly Dictionary<string, int> _labels = new(StringComparer.Ordinal);

    /// <summary>The number of instructions emitted so far.</summary>
    public int Count => _instructions.Count;

    /// <summary>Defines <paramref name="label"/> at the position of the next instruction.</summary>
    /// <exception cref="InvalidOperationException">The label is already defined.</exception>
    public BpfAssembler Label(string label)
    {
        if (!_labels.TryAdd(label, _instructions.Count))
        {
            throw new InvalidOperationException($"BPF label '{label}' is defined twice.");
        }

        return this;
    }

    /// <summary>Loads the 32-bit word at <paramref name="offset"/> of <c>struct seccomp_data</c> into A.</summary>
    public BpfAssembler LoadWord(uint offset) => Emit(BpfInstruction.LoadWordAbsolute, offset, null, null);

    /// <summary>Jumps to <paramref name="ifTrue"/> (or falls through) when A == k, else to <paramref name="ifFalse"/> (or falls through).</summary>
    public BpfAssembler JumpIfEqual(uint k, string? ifTrue, string? ifFalse = null) =>
        Emit(BpfInstruction.JumpIfEqual, k, ifTrue, ifFalse);

    /// <summary>Jumps when A &gt;= k (unsigned).</summary>
    public BpfAssembler JumpIfGreaterOrEqual(uint k, string? ifTrue, string? ifFalse = null) =>
        Emit(BpfInstruction.JumpIfGreaterOrEqual, k, ifTrue, ifFalse);

    /// <summary>Jumps when A &amp; k is non-zero.</summary>
    public BpfAssembler JumpIfAnySet(uint k, string? ifTrue, string? ifFalse = null) =>
        Emit(BpfInstruction.JumpIfAnySet, k, ifTrue, ifFalse);

    /// <summary>Returns <paramref name="action"/> (a <c>SECCOMP_RET_*</c> value) to the kernel.</summary>
    public BpfAssembler Return(uint action) => Emit(BpfInstruction.ReturnConstant, action, null, null);

    /// <summary>Resolves every label and returns the finished program.</summary>
    /// <exception cref="InvalidOperationException">A label is undefined, points backwards, or is out of the 8-bit jump range.</exception>
    public BpfInstruction[] Assemble()
    {
        var program = new BpfInstruction[_instructions.Count];
        for (var pc = 0; pc < _instructions.Count; pc++)
        {
            var pending = _instructions[pc];
            program[pc] = new BpfInstruction(
                pending.Code,
                Resolve(pc, pending.IfTrue),
                Resolve(pc, pending.IfFalse),
                pending.K);
        }

        return program;
    }

    private BpfAssembler Emit(ushort code, uint k, string? ifTrue, string? ifFalse)
    {
        _instructions.Add(new PendingInstruction(code, k, ifTrue, ifFalse));
        return this;
    }

    private byte Resolve(int pc, string? label)
    {
        if (label is null)
        {
            return 0;
        }

        if (!_labels.TryGetValue(label, out var target))
        {
            throw new InvalidOperationException($"BPF label '{label}' used at instruction {pc} is not defined.");
        }

        var offset = target - (pc + 1);
        if (offset is < 0 or > byte.MaxValue)
        {
            throw new InvalidOperationException(
                $"BPF jump from instruction {pc} to label '{label}' (instruction {target}) needs offset {offset}, outside 0..255.");
        }

        return (byte)offset;
    }

    private readonly record struct PendingInstruction(ushort Code, uint K, string? IfTrue, string? IfFalse);
}
