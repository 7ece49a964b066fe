namespace Dnet.Generation.Chat;

/// <summary>
/// A chat prompt as the template rendered it, with where the messages' content lies in it: the tokenizer encodes
/// special tokens only in the template's own text, never in content a user wrote.
/// </summary>
/// <param name="Text">The whole prompt.</param>
/// <param name="Content">Ranges of <paramref name="Text"/> that are message content.</param>
public sealed record RenderedPrompt(string Text, IReadOnlyList<Range> Content);
