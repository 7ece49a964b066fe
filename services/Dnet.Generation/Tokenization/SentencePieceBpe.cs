using System.Text;

namespace Dnet.Generation.Tokenization;

/// <summary>
/// The BPE model of a SentencePiece-style tokenizer.json (Llama 2, Mistral): a word starts as its characters (Unicode
/// scalars, so an emoji is one symbol); a character missing from the vocabulary becomes its UTF-8 bytes as
/// &lt;0xNN&gt; tokens (byte_fallback), else the unknown token (consecutive ones fused with fuse_unk); then merges apply
/// lowest rank first, leftmost first, as HuggingFace's BPE does.
/// </summary>
/// <remarks>
/// Written here rather than taken from Microsoft.ML.Tokenizers: its BpeTokenizer has no byte fallback (it silently
/// drops unknown characters) and slows down quadratically on long words, and SentencePiece layouts without a
/// pre-tokenizer make a whole prompt one word. This merge loop uses a heap, so a word of n symbols costs O(n log n).
/// </remarks>
internal sealed class SentencePieceBpe
{
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocab;
    private readonly Dictionary<(int Left, int Right), (int Rank, int Merged)> _merges;
    private readonly int[]? _byteTokens;
    private readonly int? _unknownId;
    private readonly bool _fuseUnknown;

    private SentencePieceBpe(
        Dictionary<string, int> vocab, Dictionary<(int, int), (int, int)> merges, int[]? byteTokens, int? unknownId, bool fuseUnknown)
    {
        _vocab = vocab.GetAlternateLookup<ReadOnlySpan<char>>();
        _merges = merges;
        _byteTokens = byteTokens;
        _unknownId = unknownId;
        _fuseUnknown = fuseUnknown;
    }

    /// <summary>The token text HuggingFace looks up for a byte under byte_fallback: "&lt;0x0A&gt;".</summary>
    public static string ByteToken(byte value) => $"<0x{value:X2}>";

    /// <summary>Builds the model; a merge naming a token that is not in the vocabulary is an error, as in HuggingFace.</summary>
    /// <exception cref="InvalidDataException">A merge or the byte tokens do not fit the vocabulary.</exception>
    public static SentencePieceBpe Create(
        Dictionary<string, int> vocab, IReadOnlyList<string> merges, bool byteFallback, string? unknownToken, bool fuseUnknown)
    {
        var ranks = new Dictionary<(int, int), (int, int)>(merges.Count);
        for (int rank = 0; rank < merges.Count; rank++)
        {
            string merge = merges[rank];
            int space = merge.IndexOf(' ');
            string left = merge[..space];
            string right = merge[(space + 1)..];
            if (!vocab.TryGetValue(left, out int leftId) || !vocab.TryGetValue(right, out int rightId)
                || !vocab.TryGetValue(left + right, out int mergedId))
            {
                throw new InvalidDataException($"model.merges entry {rank} ('{left}' '{right}') names a token missing from model.vocab");
            }

            // The first occurrence of a pair wins, as in HuggingFace.
            ranks.TryAdd((leftId, rightId), (rank, mergedId));
        }

        int[]? byteTokens = null;
        if (byteFallback)
        {
            byteTokens = new int[256];
            for (int b = 0; b < 256; b++)
            {
                byteTokens[b] = vocab.TryGetValue(ByteToken((byte)b), out int id) ? id : -1;
            }
        }

        int? unknownId = null;
        if (unknownToken is not null)
        {
            unknownId = vocab.TryGetValue(unknownToken, out int id)
                ? id
                : throw new InvalidDataException($"model.unk_token '{unknownToken}' is not in model.vocab");
        }

        return new SentencePieceBpe(vocab, ranks, byteTokens, unknownId, fuseUnknown);
    }

    /// <summary>Appends the ids of one pre-tokenized word (already normalized, spaces spelled '▁').</summary>
    public void Encode(ReadOnlySpan<char> word, List<int> ids)
    {
        var symbols = new List<Symbol>(word.Length);
        bool lastWasUnknown = false;
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = 0; i < word.Length;)
        {
            int length = char.IsHighSurrogate(word[i]) && i + 1 < word.Length && char.IsLowSurrogate(word[i + 1]) ? 2 : 1;
            ReadOnlySpan<char> character = word.Slice(i, length);
            i += length;
            if (_vocab.TryGetValue(character, out int id))
            {
                symbols.Add(new Symbol(id));
                lastWasUnknown = false;
            }
            else if (TryAddBytes(character, utf8, symbols))
            {
                lastWasUnknown = false;
            }
            else if (_unknownId is int unknown)
            {
                if (!(_fuseUnknown && lastWasUnknown))
                {
                    symbols.Add(new Symbol(unknown));
                }

                lastWasUnknown = true;
            }

            // Without byte fallback or an unknown token HuggingFace drops the character; so does this.
        }

        MergeAll(symbols);
        foreach (Symbol symbol in symbols)
        {
            if (!symbol.Removed)
            {
                ids.Add(symbol.Id);
            }
        }
    }

    private bool TryAddBytes(ReadOnlySpan<char> character, Span<byte> utf8, List<Symbol> symbols)
    {
        if (_byteTokens is null)
        {
            return false;
        }

        int count = Encoding.UTF8.GetBytes(character, utf8);
        for (int b = 0; b < count; b++)
        {
            if (_byteTokens[utf8[b]] < 0)
            {
                return false;
            }
        }

        for (int b = 0; b < count; b++)
        {
            symbols.Add(new Symbol(_byteTokens[utf8[b]]));
        }

        return true;
    }

    /// <summary>HuggingFace's Word::merge_all: a heap of candidate merges ordered by rank, then position.</summary>
    private void MergeAll(List<Symbol> symbols)
    {
        int count = symbols.Count;
        var previous = new int[count];
        var next = new int[count];
        for (int i = 0; i < count; i++)
        {
            previous[i] = i - 1;
            next[i] = i + 1 < count ? i + 1 : -1;
        }

        var queue = new PriorityQueue<(int Position, int Merged), (int Rank, int Position)>();
        void Consider(int position)
        {
            if (position >= 0 && next[position] >= 0
                && _merges.TryGetValue((symbols[position].Id, symbols[next[position]].Id), out (int Rank, int Merged) merge))
            {
                queue.Enqueue((position, merge.Merged), (merge.Rank, position));
            }
        }

        for (int i = 0; i + 1 < count; i++)
        {
            Consider(i);
        }

        while (queue.TryDequeue(out (int Position, int Merged) top, out _))
        {
            int position = top.Position;
            int right = next[position];
            // A stale entry: the symbol or its neighbour changed since the merge was queued.
            if (symbols[position].Removed || right < 0
                || !_merges.TryGetValue((symbols[position].Id, symbols[right].Id), out (int Rank, int Merged) merge)
                || merge.Merged != top.Merged)
            {
                continue;
            }

            symbols[position] = new Symbol(top.Merged);
            symbols[right] = new Symbol(-1) { Removed = true };
            next[position] = next[right];
            if (next[right] >= 0)
            {
                previous[next[right]] = position;
            }

            Consider(previous[position]);
            Consider(position);
        }
    }

    private readonly record struct Symbol(int Id)
    {
        public bool Removed { get; init; }
    }
}
