namespace Dnet.Analytics.Ingest;

/// <summary>One stream entry as delivered to this consumer.</summary>
/// <param name="Id">Stream entry id.</param>
/// <param name="Fields">The entry's fields, or <c>null</c> when the entry was trimmed from the stream after it was delivered.</param>
internal sealed record StreamMessage(string Id, IReadOnlyList<KeyValuePair<string, string>>? Fields);
