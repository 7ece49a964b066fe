using System.Text.Json;
using Dnet.Generation.Sampling;
using Dnet.Generation.Streaming;
using Dnet.Generation.Tokenization;
using Dnet.Inference.Model;

namespace Dnet.EndToEnd.Tests;

/// <summary>What a ring must say: the model run whole in this process, greedy, with the gateway's template and tokenizer.</summary>
internal static class InProcessReference
{
    /// <summary>The same model, template and greedy sampler in this process, with no ring in between.</summary>
    public static string Greedy(string folder, string prompt, int tokens)
    {
        var tokenizer = TextTokenizer.Load(Path.Combine(folder, "tokenizer.json"), Path.Combine(folder, "tokenizer_config.json"));
        var template = Dnet.Generation.Chat.ChatTemplate.Load(Path.Combine(folder, "tokenizer_config.json"));
        var ids = tokenizer.Encode(template.Render([new Dnet.Generation.Chat.ChatMessage("user", prompt)]), parseSpecialTokens: true).ToArray();
        using var model = ModelSlice.Load(folder, LayerRange.All(ConfigLayers(folder)));
        var sampler = new Sampler(SamplingParameters.Greedy, tokenizer.VocabSize);
        var detokenizer = new IncrementalDetokenizer(tokenizer, skipSpecialTokens: true);
        var text = new System.Text.StringBuilder();
        var position = 0;
        var input = ids;
        for (var step = 0; step < tokens; step++)
        {
            var logits = model.Forward("reference", SliceInput.FromTokens(input), position).Logits!;
            position += input.Length;
            var token = sampler.Sample(logits).Id;
            if (tokenizer.EndOfTurnTokenIds.Contains(token))
            {
                break;
            }

            text.Append(detokenizer.Push(token));
            input = [token];
        }

        return text.Append(detokenizer.Flush()).ToString();
    }

    private static int ConfigLayers(string folder) =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "config.json"))).RootElement.GetProperty("num_hidden_layers").GetInt32();
}
