using System.Buffers.Binary;
using System.Runtime.Versioning;
using Phoenix.Executor.Sandbox.Seccomp;

namespace Phoenix.Executor.Tests.Sandbox.Seccomp;

/// <summary>
/// Runs a seccomp classic-BPF program against one <c>struct seccomp_data</c>, with the kernel's
/// rules: only the opcodes a seccomp filter may use, forward jumps inside the program, aligned
/// loads inside the 64-byte <c>seccomp_data</c>, and a return on every path.
/// </summary>
[SupportedOSPlatform("linux")]
internal static class BpfInterpreter
{
    private const int SeccompDataSize = 64;

    public static uint Run(IReadOnlyList<BpfInstruction> program, uint arch, uint nr, params ulong[] args)
    {
        Span<byte> data = stackalloc byte[SeccompDataSize];
        BinaryPrimitives.WriteUInt32LittleEndian(data, nr);
        BinaryPrimitives.WriteUInt32LittleEndian(data[4..], arch);
        for (var i = 0; i < args.Length; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(data[(16 + (8 * i))..], args[i]);
        }

        uint a = 0;
        var pc = 0;
        while (true)
        {
            if (pc >= program.Count)
            {
                throw new InvalidOperationException($"The program runs off its end at instruction {pc}.");
            }

            var insn = program[pc];
            switch (insn.Code)
            {
                case BpfInstruction.LoadWordAbsolute:
                    if (insn.K % 4 != 0 || insn.K > SeccompDataSize - 4)
                    {
                        throw new InvalidOperationException($"Load of offset {insn.K} at instruction {pc} is outside seccomp_data.");
                    }

                    a = BinaryPrimitives.ReadUInt32LittleEndian(data[(int)insn.K..]);
                    pc++;
                    break;
                case BpfInstruction.JumpAlways:
                    pc += 1 + (int)insn.K;
                    break;
                case BpfInstruction.JumpIfEqual:
                    pc += 1 + (a == insn.K ? insn.JumpTrue : insn.JumpFalse);
                    break;
                case BpfInstruction.JumpIfGreater:
                    pc += 1 + (a > insn.K ? insn.JumpTrue : insn.JumpFalse);
                    break;
                case BpfInstruction.JumpIfGreaterOrEqual:
                    pc += 1 + (a >= insn.K ? insn.JumpTrue : insn.JumpFalse);
                    break;
                case BpfInstruction.JumpIfAnySet:
                    pc += 1 + ((a & insn.K) != 0 ? insn.JumpTrue : insn.JumpFalse);
                    break;
                case BpfInstruction.ReturnConstant:
                    return insn.K;
                default:
                    throw new InvalidOperationException($"Opcode 0x{insn.Code:X4} at instruction {pc} is not allowed in a seccomp filter.");
            }
        }
    }
}
