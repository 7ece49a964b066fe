namespace Dnet.Testing;

/// <summary>Whether a test's <see cref="RedisServer"/> keeps its data across a kill and a restart.</summary>
public enum RedisPersistence
{
    /// <summary>Nothing on disk: a restarted server starts empty, like a Redis that lost its memory.</summary>
    None,

    /// <summary>
    /// Like the AppHost's Redis: an append-only file, fsync every second, in the server's data directory, read back by a
    /// restarted server (so what was written up to about a second before a kill survives it).
    /// </summary>
    AppendOnly,
}
