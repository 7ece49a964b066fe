using Dnet.Gateway.Ring;
using Dnet.Generation.Chat;
using Dnet.ServiceDefaults.Http;

namespace Dnet.Gateway.Completions;

/// <summary>
/// Turns a request's prompt into token ids and checks them, <c>max_tokens</c> and <c>logit_bias</c> against the model
/// (its vocabulary, its context length and the gateway's prompt cap).
/// </summary>
internal static class PromptBuilder
{
    /// <summary>
    /// A chat: the template's markers are special tokens, message content is text only (so a user cannot forge a turn).
    /// </summary>
    public static int[] Chat(DeployedModel model, IReadOnlyList<ChatMessage> messages) =>
        [.. model.Tokenizer.Encode(model.Template.RenderPrompt(messages, addGenerationPrompt: true))];

    /// <summary>
    /// A legacy completion prompt: the caller writes the whole prompt, template markers included, so special tokens in
    /// it are parsed (as HF tokenizers and vLLM do); no BOS is added.
    /// </summary>
    public static int[] Text(DeployedModel model, string prompt) => [.. model.Tokenizer.Encode(prompt, parseSpecialTokens: true)];

    /// <summary>A prompt given as token ids, each checked against the vocabulary.</summary>
    public static int[] TokenIds(DeployedModel model, IReadOnlyList<int> ids)
    {
        foreach (var id in ids)
        {
            if (id >= model.Tokenizer.VocabSize)
            {
                throw OpenAiException.BadRequest(
                    $"The prompt has token id {id}; the vocabulary of {model.Id} has {model.Tokenizer.VocabSize} tokens.", "prompt", "invalid_value");
            }
        }

        return [.. ids];
    }

    /// <summary>
    /// Checks the prompt against the context and the gateway's prompt cap, and the options against the model; returns
    /// the number of tokens the request may generate. <c>promptParam</c> is the field the prompt came from
    /// (<c>messages</c> or <c>prompt</c>), named in errors.
    /// </summary>
    public static int MaxNewTokens(DeployedModel model, int[] ids, GenerationOptions options, int? maxPromptTokens, string promptParam)
    {
        if (ids.Length >= model.ContextLength)
        {
            throw OpenAiException.BadRequest(
                $"This model's maximum context length is {model.ContextLength} tokens; the prompt ({promptParam}) is {ids.Length} tokens.",
                promptParam, "context_length_exceeded");
        }

        if (maxPromptTokens is { } cap && ids.Length > cap)
        {
            throw OpenAiException.BadRequest(
                $"The prompt ({promptParam}) is {ids.Length} tokens; this gateway accepts prompts of at most {cap} tokens (Dnet:Gateway:MaxPromptTokens).",
                promptParam, "prompt_too_long");
        }

        foreach (var id in options.LogitBias.Keys)
        {
            if (id >= model.Tokenizer.VocabSize)
            {
                throw OpenAiException.BadRequest(
                    $"logit_bias names token {id}; the vocabulary of {model.Id} has {model.Tokenizer.VocabSize} tokens.", "logit_bias", "invalid_value");
            }
        }

        var room = model.ContextLength - ids.Length;
        if (options.MaxTokens is { } max && max > room)
        {
            throw OpenAiException.BadRequest(
                $"max_tokens is {max}, but the context has room for {room} more tokens after the {ids.Length}-token prompt " +
                $"(context length {model.ContextLength}).", "max_tokens", "context_length_exceeded");
        }

        return options.MaxTokens ?? room;
    }
}
