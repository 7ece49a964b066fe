using System.Reflection;
using System.Reflection.Emit;
using Dnet.Inference.Kernels;
using Dnet.Inference.Model;
using Dnet.Models;
using TorchSharp;

namespace Dnet.Inference.Tests;

/// <summary>
/// How many native (TorchSharp/libtorch) calls a decode step makes: none. Two hooks, because neither alone sees
/// everything. At run time TorchSharp's own per-thread statistics count every tensor object created (any op that
/// returns a tensor), and torch's live-tensor total would show one created on another thread; an in-place op that
/// returns no new tensor would slip past both, so the second hook reads the IL of every method of the forward path
/// and fails on any call into the TorchSharp assembly.
/// </summary>
[TestClass]
public sealed class NativeCallTests
{
    [TestMethod]
    [DataRow(ComputeDtype.Float32)]
    [DataRow(ComputeDtype.BFloat16)]
    public void DecodeStepsCreateNoTensors(ComputeDtype dtype)
    {
        string folder = TestCheckpoints.Folder(TestCheckpoints.Tiny);
        using var slice = ModelSlice.Load(folder, LayerRange.All(4), new ModelSliceOptions { ComputeDtype = dtype, Threads = 2 });
        int[] prompt = EngineRun.Prompt(8, 512);
        var logits = EngineRun.Step([slice], "s", prompt, 0);
        var statistics = DisposeScopeManager.Statistics;
        long createdBefore = statistics.CreatedInScopeCount + statistics.CreatedOutsideScopeCount;
        long liveBefore = torch.Tensor.TotalCount;
        long dispatchesBefore = slice.KernelDispatches;
        const int steps = 20;
        for (int t = 0; t < steps; t++)
        {
            int next = Array.IndexOf(logits, logits.Max());
            logits = EngineRun.Step([slice], "s", [next], prompt.Length + t);
        }
        long created = statistics.CreatedInScopeCount + statistics.CreatedOutsideScopeCount - createdBefore;

        Assert.AreEqual(0, created, "tensors created by decode steps");
        Assert.AreEqual(liveBefore, torch.Tensor.TotalCount, "live tensors (any thread) after decode steps");
        // Not native calls, but the other per-call cost: worker-group synchronizations per layer and step.
        double perLayer = (slice.KernelDispatches - dispatchesBefore) / (double)(steps * slice.Layers.Count);
        Assert.IsLessThanOrEqualTo(6.0, perLayer, "dispatches per layer per decode step");
    }

    [TestMethod]
    public void TheForwardPathReferencesNoTorchSharpMember()
    {
        var torchAssembly = typeof(torch).Assembly;
        Type[] forwardPath =
        [
            typeof(Transformer), typeof(Attention), typeof(Projection), typeof(MatMul), typeof(RowMath), typeof(RowJob),
            typeof(WorkerGroup), typeof(Activations), typeof(SequenceKv), typeof(KvCache), typeof(BatchRows), typeof(Bf16),
            typeof(Lanes512), typeof(Lanes256), typeof(LanesScalar), typeof(F32), typeof(BF16),
        ];
        var methods = forwardPath.SelectMany(AllMethods)
            .Concat(AllMethods(typeof(ModelSlice)).Where(m => m.Name is "Forward" or "Admit" or "Run" or "WriteInput" or "CheckInput"))
            .Concat(AllMethods(typeof(ActivationFrame)).Where(m => m.Name == "FromRows"))
            .ToList();
        Assert.IsGreaterThan(50, methods.Count, "the scan must cover the forward path");
        var offenders = methods.SelectMany(m => CalledMembers(m).Where(c => c.Module.Assembly == torchAssembly).Select(c => $"{m.DeclaringType!.Name}.{m.Name} -> {c.DeclaringType?.Name}.{c.Name}")).ToList();
        Assert.IsEmpty(offenders, string.Join("\n", offenders));

        // Guards the guard: the same scan does find the calls in the libtorch conversion helpers.
        Assert.IsNotEmpty(AllMethods(typeof(ActivationFrame)).Where(m => m.Name == "ToTensor").SelectMany(CalledMembers).Where(c => c.Module.Assembly == torchAssembly));
    }

    const BindingFlags Everything = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    static IEnumerable<MethodBase> AllMethods(Type type) =>
        type.GetMethods(Everything).Cast<MethodBase>().Concat(type.GetConstructors(Everything))
            .Concat(type.GetNestedTypes(BindingFlags.NonPublic | BindingFlags.Public).SelectMany(AllMethods));

    static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!).ToDictionary(o => o.Value);

    /// <summary>Methods, constructors and fields a method body refers to (call, newobj, ldftn, ldfld, ...).</summary>
    static IEnumerable<MemberInfo> CalledMembers(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }
        var genericType = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var genericMethod = method.IsGenericMethod ? method.GetGenericArguments() : null;
        for (int i = 0; i < il.Length;)
        {
            short value = il[i] == 0xFE ? (short)(0xFE00 | il[i + 1]) : il[i];
            var op = OpCodesByValue[value];
            i += op.Size;
            int operand = op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + 4 * BitConverter.ToInt32(il, i),
                _ => 4,
            };
            if (op.OperandType is OperandType.InlineMethod or OperandType.InlineField or OperandType.InlineTok or OperandType.InlineType)
            {
                MemberInfo? member = null;
                try
                {
                    member = method.Module.ResolveMember(BitConverter.ToInt32(il, i), genericType, genericMethod);
                }
                catch (ArgumentException)
                {
                }
                if (member is not null)
                {
                    yield return member;
                }
            }
            i += operand;
        }
    }
}
