using System.Runtime.Versioning;
using Phoenix.Executor.Sandbox.Seccomp;

namespace Phoenix.Executor.Tests.Sandbox.Seccomp;

[SupportedOSPlatform("linux")]
public sealed class BpfAssemblerTests
{
    [Fact]
    public void Assemble_ForwardLabels_ResolvesRelativeOffsets()
    {
        var program = new BpfAssembler()
            .LoadWord(0)
            .JumpIfEqual(7, "yes", "no")
            .Label("no").Return(1)
            .Label("yes").Return(2)
            .Assemble();

        Assert.Equal(new BpfInstruction(BpfInstruction.JumpIfEqual, 1, 0, 7), program[1]);
        Assert.Equal(2u, BpfInterpreter.Run(program, 0, 7));
        Assert.Equal(1u, BpfInterpreter.Run(program, 0, 8));
    }

    [Fact]
    public void Assemble_JumpBeyond255_Throws()
    {
        var asm = new BpfAssembler().JumpIfEqual(1, "far");
        for (var i = 0; i < 256; i++)
        {
            asm.Return(0);
        }

        asm.Label("far").Return(1);

        var error = Assert.Throws<InvalidOperationException>(() => asm.Assemble());
        Assert.Contains("256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Assemble_JumpOf255_IsAccepted()
    {
        var asm = new BpfAssembler().JumpIfEqual(1, "far");
        for (var i = 0; i < 255; i++)
        {
            asm.Return(0);
        }

        var program = asm.Label("far").Return(1).Assemble();

        Assert.Equal(255, program[0].JumpTrue);
    }

    [Fact]
    public void Assemble_BackwardLabel_Throws()
    {
        var asm = new BpfAssembler().Label("back").LoadWord(0).JumpIfEqual(1, "back").Return(0);

        Assert.Throws<InvalidOperationException>(() => asm.Assemble());
    }

    [Fact]
    public void Assemble_UndefinedLabel_Throws()
    {
        var asm = new BpfAssembler().JumpIfEqual(1, "nowhere").Return(0);

        var error = Assert.Throws<InvalidOperationException>(() => asm.Assemble());
        Assert.Contains("nowhere", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Label_DefinedTwice_Throws()
    {
        var asm = new BpfAssembler().Label("twice");

        Assert.Throws<InvalidOperationException>(() => asm.Label("twice"));
    }
}
