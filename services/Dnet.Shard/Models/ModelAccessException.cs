namespace Dnet.Shard.Models;

/// <summary>A model named by a path this shard will not read: outside its model cache and configured model roots.</summary>
public sealed class ModelAccessException(string message) : Exception(message);

/// <summary>A model this shard has no copy of.</summary>
public sealed class NoModelCopyException(string message) : Exception(message);
