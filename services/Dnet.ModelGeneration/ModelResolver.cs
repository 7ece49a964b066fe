using Dnet.Models;

namespace Dnet.ModelGeneration;

/// <summary>
/// Turns the <c>Dnet:Model</c> setting into a checkpoint folder: an existing folder is used as is; a generated
/// model name (dnet-tiny, dnet-tiny-mistral, dnet-bench-135m) is generated once into the cache directory. Several processes may ask
/// at once: one generates under an exclusive lock file into a temporary folder and renames it into place, the
/// others wait for the lock and then find the folder.
/// </summary>
public static class ModelResolver
{
    /// <summary><c>$DNET_MODEL_CACHE</c>, else <c>~/.cache/dnet/models</c>.</summary>
    public static string DefaultCacheDirectory =>
        Environment.GetEnvironmentVariable("DNET_MODEL_CACHE") is { Length: > 0 } configured
            ? configured
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "dnet", "models");

    /// <summary>Returns the checkpoint folder for <paramref name="model"/> (a folder path or a generated name).</summary>
    public static string Resolve(string model, string? cacheDirectory = null, IProgress<GenerationProgress>? progress = null)
    {
        if (Directory.Exists(model))
        {
            return Path.GetFullPath(model);
        }
        var spec = GeneratedModelSpec.Known.FirstOrDefault(s => s.Name == model)
            ?? throw new DirectoryNotFoundException(
                $"model '{model}' is neither a checkpoint folder nor a generated model ({string.Join(", ", GeneratedModelSpec.Known.Select(s => s.Name))})");
        return Generate(spec, cacheDirectory ?? DefaultCacheDirectory, progress);
    }

    /// <summary>
    /// Generates <paramref name="spec"/> into <c>cacheDirectory/name</c> unless it is already there, made by this generator
    /// from this spec: a folder left by an older generator (say, one that wrote a different tokenizer) is replaced, not
    /// served half-compatible.
    /// </summary>
    public static string Generate(GeneratedModelSpec spec, string cacheDirectory, IProgress<GenerationProgress>? progress = null)
    {
        string target = Path.Combine(cacheDirectory, spec.Name);
        string stamp = Stamp(spec);
        if (IsCurrent(target, stamp))
        {
            return target;
        }
        Directory.CreateDirectory(cacheDirectory);
        using var exclusive = AcquireLock(Path.Combine(cacheDirectory, $".{spec.Name}.lock"));
        if (IsCurrent(target, stamp))
        {
            return target;
        }
        string temporary = Path.Combine(cacheDirectory, $".{spec.Name}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        string stale = Path.Combine(cacheDirectory, $".{spec.Name}.stale-{Guid.NewGuid():N}");
        try
        {
            ModelGenerator.Write(temporary, spec, progress);
            File.WriteAllText(Path.Combine(temporary, StampFile), stamp);
            if (Directory.Exists(target))
            {
                Directory.Move(target, stale);
            }
            Directory.Move(temporary, target);
        }
        finally
        {
            foreach (var leftover in new[] { temporary, stale }.Where(Directory.Exists))
            {
                Directory.Delete(leftover, recursive: true);
            }
        }
        return target;
    }

    /// <summary>Written last into a generated folder: which generator made it from which spec.</summary>
    const string StampFile = ".dnet-generated";

    static string Stamp(GeneratedModelSpec spec) => $"generator {ModelGenerator.FormatVersion}\n{spec}";

    static bool IsCurrent(string folder, string stamp) =>
        File.Exists(Path.Combine(folder, StampFile)) && File.ReadAllText(Path.Combine(folder, StampFile)) == stamp;

    static FileStream AcquireLock(string path)
    {
        // FileShare.None takes an advisory flock on Unix: released by the OS if the holder dies.
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                Thread.Sleep(200);
            }
        }
    }
}
