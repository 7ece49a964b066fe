namespace Dnet.Generation.Streaming;

/// <summary>What may be sent to the client after one piece of streamed text.</summary>
/// <param name="Text">Text that can no longer become part of a stop string; on a stop, the text before it.</param>
/// <param name="Stopped">A stop string was found: generation ends and nothing after it is sent.</param>
public readonly record struct StopCheck(string Text, bool Stopped);

/// <summary>
/// Applies OpenAI-style stop strings to streamed text. Text that could be the start of a stop string is held back
/// until the next piece shows whether it is; when a stop string appears, only the text before it is released.
/// Not thread-safe: one per request.
/// </summary>
public sealed class StopSequenceMatcher
{
    private readonly string[] _stops;
    private string _held = "";
    private bool _stopped;

    /// <exception cref="ArgumentException">A stop string is null or empty.</exception>
    public StopSequenceMatcher(IEnumerable<string> stopSequences)
    {
        ArgumentNullException.ThrowIfNull(stopSequences);
        _stops = [.. stopSequences];
        if (_stops.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Stop sequences must be non-empty strings.", nameof(stopSequences));
        }
    }

    /// <summary>Text currently held back as a possible stop-string prefix.</summary>
    public string HeldText => _held;

    /// <summary>Adds the next piece of generated text.</summary>
    /// <exception cref="InvalidOperationException">A stop string was already found.</exception>
    public StopCheck Push(string piece)
    {
        ArgumentNullException.ThrowIfNull(piece);
        if (_stopped)
        {
            throw new InvalidOperationException("A stop sequence was already matched; generation has ended.");
        }

        string text = _held + piece;
        int stopAt = -1;
        foreach (string stop in _stops)
        {
            int index = text.IndexOf(stop, StringComparison.Ordinal);
            if (index >= 0 && (stopAt < 0 || index < stopAt))
            {
                stopAt = index;
            }
        }

        if (stopAt >= 0)
        {
            _stopped = true;
            _held = "";
            return new StopCheck(text[..stopAt], Stopped: true);
        }

        int hold = LongestSuffixThatStartsAStop(text);
        _held = text[^hold..];
        return new StopCheck(text[..^hold], Stopped: false);
    }

    /// <summary>Generation ended without a stop string: returns the held-back text.</summary>
    public string Flush()
    {
        string rest = _held;
        _held = "";
        return rest;
    }

    private int LongestSuffixThatStartsAStop(string text)
    {
        int best = 0;
        foreach (string stop in _stops)
        {
            for (int length = Math.Min(stop.Length - 1, text.Length); length > best; length--)
            {
                if (text.AsSpan(text.Length - length).SequenceEqual(stop.AsSpan(0, length)))
                {
                    best = length;
                    break;
                }
            }
        }

        return best;
    }
}
