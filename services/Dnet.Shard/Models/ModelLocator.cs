using Dnet.ModelGeneration;
using Dnet.Models;

namespace Dnet.Shard.Models;

/// <summary>
/// Finds a model on this machine, and only where this shard's operator put models: the model cache
/// (<c>$DNET_MODEL_CACHE</c> or <c>~/.cache/dnet/models</c>) and the folders in <c>Dnet:ModelRoots</c> (a list, or one
/// string separated by the platform's path separator). A model is named by
/// <list type="bullet">
/// <item>a generated model's name (<c>dnet-tiny</c>): generated into the cache on first load;</item>
/// <item>a checkpoint folder's name (<c>Llama-3.2-1B</c>): the first model root that has that folder with a config.json;</item>
/// <item>a checkpoint folder path: used when it lies inside a model root; otherwise its folder name is looked up in the
/// roots, so the same model name works on machines that keep their copies in different places.</item>
/// </list>
/// Anything else, such as <c>/etc</c>, is refused: whoever can call LoadSlice must not make a shard read arbitrary files.
/// </summary>
public sealed class ModelLocator(IConfiguration configuration)
{
    public const string RootsKey = "Dnet:ModelRoots";

    /// <summary>Configured roots, then the model cache; full paths, without duplicates.</summary>
    public IReadOnlyList<string> Roots { get; } = ReadRoots(configuration);

    public static string CacheDirectory => ModelResolver.DefaultCacheDirectory;

    public LocatedModel Locate(string model)
    {
        if (string.IsNullOrWhiteSpace(model))
        {
            throw new NoModelCopyException("no model named");
        }

        if (GeneratedModelSpec.Known.FirstOrDefault(spec => spec.Name == model) is { } generated)
        {
            return new LocatedModel(model, Path.Combine(CacheDirectory, model), generated);
        }

        if (Path.IsPathRooted(model))
        {
            var full = Path.GetFullPath(model);
            if (Roots.Any(root => IsInside(full, root)) && HasConfig(full))
            {
                return new LocatedModel(model, full, null);
            }

            var name = Path.GetFileName(full.TrimEnd(Path.DirectorySeparatorChar));
            return FindByName(name) is { } copy
                ? new LocatedModel(model, copy, null)
                : throw new ModelAccessException(
                    $"'{model}' is outside this shard's model roots ({string.Join(", ", Roots)}) and no model root has a checkpoint folder '{name}'; " +
                    $"a shard loads only from its model cache or {RootsKey}");
        }

        if (model.IndexOfAny(['/', '\\']) >= 0 || model is "." or "..")
        {
            throw new ModelAccessException(
                $"'{model}' is neither a model name nor an absolute folder path; a shard loads only from its model cache or {RootsKey}");
        }

        return FindByName(model) is { } folder
            ? new LocatedModel(model, folder, null)
            : throw new NoModelCopyException(
                $"no model root of this shard ({string.Join(", ", Roots)}) has a checkpoint folder '{model}' with config.json, and it is not a generated model " +
                $"({string.Join(", ", GeneratedModelSpec.Known.Select(s => s.Name))})");
    }

    /// <summary>The located model's folder, generating a generated model first if this machine has no current copy.</summary>
    public static string Materialize(LocatedModel model, IProgress<GenerationProgress>? progress) =>
        model.Generated is { } spec ? ModelResolver.Generate(spec, CacheDirectory, progress) : model.Folder;

    private string? FindByName(string name) =>
        Roots.Select(root => Path.Combine(root, name)).FirstOrDefault(HasConfig);

    private static bool HasConfig(string folder) => File.Exists(Path.Combine(folder, "config.json"));

    private static bool IsInside(string path, string root) =>
        path.StartsWith(root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar, StringComparison.Ordinal);

    private static List<string> ReadRoots(IConfiguration configuration)
    {
        var section = configuration.GetSection(RootsKey);
        var configured = (section.Value ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Concat(section.GetChildren().Select(child => child.Value).OfType<string>());
        return [.. configured.Append(CacheDirectory).Select(root => Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar)).Distinct()];
    }
}
