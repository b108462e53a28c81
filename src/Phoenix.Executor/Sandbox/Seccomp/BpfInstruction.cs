using System.Buffers.Binary;

namespace Phoenix.Executor.Sandbox.Seccomp;

/// <summary>
/// One classic-BPF instruction, laid out like the kernel's
/// <c>struct sock_filter { u16 code; u8 jt; u8 jf; u32 k; }</c> (8 bytes, native little-endian).
/// </summary>
/// <param name="Code">The opcode (class | size | mode, or class | operation | source).</param>
/// <param name="JumpTrue">Instructions to skip when a conditional jump is taken.</param>
/// <param name="JumpFalse">Instructions to skip when a conditional jump is not taken.</param>
/// <param name="K">The immediate operand.</param>
internal readonly record struct BpfInstruction(ushort Code, byte JumpTrue, byte JumpFalse, uint K)
{
    /// <summary>Size of one encoded instruction in bytes.</summary>
    public const int Size = 8;

    /// <summary><c>BPF_LD | BPF_W | BPF_ABS</c>: load the 32-bit word at offset k of <c>seccomp_data</c>.</summary>
    public const ushort LoadWordAbsolute = 0x20;

    /// <summary><c>BPF_JMP | BPF_JA</c>: unconditional jump by k.</summary>
    public const ushort JumpAlways = 0x05;

    /// <summary><c>BPF_JMP | BPF_JEQ | BPF_K</c>.</summary>
    public const ushort JumpIfEqual = 0x15;

    /// <summary><c>BPF_JMP | BPF_JGT | BPF_K</c> (unsigned).</summary>
    public const ushort JumpIfGreater = 0x25;

    /// <summary><c>BPF_JMP | BPF_JGE | BPF_K</c> (unsigned).</summary>
    public const ushort JumpIfGreaterOrEqual = 0x35;

    /// <summary><c>BPF_JMP | BPF_JSET | BPF_K</c>: jump when <c>A &amp; k</c> is non-zero.</summary>
    public const ushort JumpIfAnySet = 0x45;

    /// <summary><c>BPF_RET | BPF_K</c>: return k as the seccomp action.</summary>
    public const ushort ReturnConstant = 0x06;

    /// <summary>Writes the instruction into the first <see cref="Size"/> bytes of <paramref name="destination"/>.</summary>
    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt16LittleEndian(destination, Code);
        destination[2] = JumpTrue;
        destination[3] = JumpFalse;
        BinaryPrimitives.WriteUInt32LittleEndian(destination[4..], K);
    }

    /// <summary>Reads one instruction from the first <see cref="Size"/> bytes of <paramref name="source"/>.</summary>
    public static BpfInstruction ReadFrom(ReadOnlySpan<byte> source) =>
        new(
            BinaryPrimitives.ReadUInt16LittleEndian(source),
            source[2],
            source[3],
            BinaryPrimitives.ReadUInt32LittleEndian(source[4..]));
}
