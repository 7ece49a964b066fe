using System.Diagnostics;
using Dnet.Inference.Model;

namespace Dnet.Benchmarks.Engine;

/// <summary>
/// pp128 with prompt chunks on the float32-FMA kernel (the default) against the same slice shape with prompts on the
/// CPU's bf16 matrix units (<c>PromptsOnMatrixUnits</c>), in alternating rounds so both see the same machine.
/// </summary>
static class PromptPaths
{
    public static PromptPathsResult Compare(string folder, ModelSlice onKernel, int[] prompt, int rounds)
    {
        using var onMatrixUnits = ModelSlice.Load(folder, onKernel.Layers,
            new ModelSliceOptions { ComputeDtype = onKernel.ComputeDtype, PromptsOnMatrixUnits = true, Threads = TorchSharp.torch.get_num_threads() });
        Prefill(onMatrixUnits, prompt);
        var units = new List<double>();
        var kernel = new List<double>();
        for (int r = 0; r < Math.Max(3, rounds); r++)
        {
            units.Add(Prefill(onMatrixUnits, prompt));
            kernel.Add(Prefill(onKernel, prompt));
            Console.Error.WriteLine($"engine: pp{prompt.Length} round {r + 1}: matrix units {prompt.Length / units[^1]:F1} tok/s, kernel {prompt.Length / kernel[^1]:F1} tok/s");
        }
        double unitsRate = prompt.Length / Median(units), kernelRate = prompt.Length / Median(kernel);
        return new PromptPathsResult(Math.Round(unitsRate, 1), Math.Round(kernelRate, 1), Math.Round(unitsRate / kernelRate, 2));
    }

    static double Prefill(ModelSlice slice, int[] prompt)
    {
        var watch = Stopwatch.StartNew();
        slice.Forward("prompt-paths", SliceInput.FromTokens(prompt), 0).ReturnLogits();
        double seconds = watch.Elapsed.TotalSeconds;
        slice.Free("prompt-paths");
        return seconds;
    }

    static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);
}

/// <summary>Prefill rates of the two paths for prompt chunks, measured in alternating rounds.</summary>
sealed record PromptPathsResult(double MatrixUnitsTokensPerS, double KernelTokensPerS, double MatrixUnitsOverKernel);
