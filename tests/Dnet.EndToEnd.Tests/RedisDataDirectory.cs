namespace Dnet.EndToEnd.Tests;

/// <summary>
/// A Redis data directory of one test cluster's own. Redis persists the span stream where the next run finds it, so
/// test runs must not share the user's default directory: they would read each other's streams, and the AppHost
/// refuses a directory another AppHost holds.
/// </summary>
internal sealed class RedisDataDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("dnet-e2e-redis-").FullName;

    /// <summary>The AppHost argument that points the cluster's redis-server here.</summary>
    public string Argument => $"--Dnet:Redis:DataDirectory={Path}";

    /// <summary>Call after the cluster is disposed (its redis-server no longer writes here).</summary>
    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
