using Microsoft.Extensions.Configuration;

namespace Dnet.AppHost;

/// <summary>
/// Where this machine's shards may load checkpoints from: <c>Dnet:ModelRoots</c> (folders, separated by the platform's
/// path separator), plus the parent folder of the configured model (parameter <c>model</c> or <c>Dnet:Model</c>) when
/// that is a checkpoint folder path. Shards load nothing outside their model roots and the model cache.
/// </summary>
internal static class ModelRoots
{
    public static IResourceBuilder<ProjectResource> WithModelRoots(this IResourceBuilder<ProjectResource> shard, IConfiguration configuration)
    {
        var roots = (configuration["Dnet:ModelRoots"] ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
        if (configuration.ConfiguredModel() is { Length: > 0 } model && Path.IsPathRooted(model)
            && Path.GetDirectoryName(Path.GetFullPath(model).TrimEnd(Path.DirectorySeparatorChar)) is { } parent)
        {
            roots.Add(parent);
        }

        return roots.Count == 0 ? shard : shard.WithEnvironment("Dnet__ModelRoots", string.Join(Path.PathSeparator, roots.Distinct()));
    }
}
