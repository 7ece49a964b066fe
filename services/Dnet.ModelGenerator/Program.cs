using System.CommandLine;
using Dnet.ModelGeneration;
using Dnet.Models;

// Writes a generated checkpoint folder (seeded random weights, real HuggingFace layout) for machines that cannot
// download models: the cluster generates the same models on first use; this command does it ahead of time or elsewhere.
var name = new Argument<string>("model") { Description = $"one of: {string.Join(", ", GeneratedModelSpec.Known.Select(s => s.Name))}" };
var output = new Option<DirectoryInfo?>("--out") { Description = "write to this folder instead of the model cache" };
var seed = new Option<ulong?>("--seed") { Description = "a seed other than the model's own (different weights)" };
var command = new RootCommand("Generate a Dnet model checkpoint folder") { name, output, seed };
command.SetAction(parse =>
{
    var spec = GeneratedModelSpec.Known.FirstOrDefault(s => s.Name == parse.GetValue(name));
    if (spec is null)
    {
        Console.Error.WriteLine($"unknown model '{parse.GetValue(name)}'; known: {string.Join(", ", GeneratedModelSpec.Known.Select(s => s.Name))}");
        return 2;
    }

    if (parse.GetValue(seed) is { } chosen)
    {
        spec = spec with { Seed = chosen };
    }

    var progress = new PercentProgress();
    string folder;
    if (parse.GetValue(output) is { } directory)
    {
        folder = directory.FullName;
        ModelGenerator.Write(folder, spec, progress);
    }
    else
    {
        folder = ModelResolver.Generate(spec, ModelResolver.DefaultCacheDirectory, progress);
    }

    Console.Error.WriteLine();
    Console.WriteLine(folder);
    return 0;
});
return command.Parse(args).Invoke();

/// <summary>Progress on stderr, synchronously (so it never lands after the result) and once per whole percent.</summary>
internal sealed class PercentProgress : IProgress<GenerationProgress>
{
    private long _lastPercent = -1;

    public void Report(GenerationProgress value)
    {
        var percent = 100 * value.BytesWritten / Math.Max(1, value.TotalBytes);
        if (percent != _lastPercent)
        {
            _lastPercent = percent;
            Console.Error.Write($"\r{value}   ");
        }
    }
}
