using Dnet.Gateway.OpenAi;
using Dnet.Gateway.Ring;

namespace Dnet.Gateway.Completions;

/// <summary>Renders the chat template, tokenizes, and checks the prompt and max_tokens against the context.</summary>
internal static class PromptBuilder
{
    public static (int[] PromptIds, int MaxTokens) Build(DeployedModel model, ChatCompletionRequest request)
    {
        var prompt = model.Template.Render(request.Messages, addGenerationPrompt: true);
        // The template already wrote BOS/special tokens as text: parse them as special tokens.
        var ids = model.Tokenizer.Encode(prompt, parseSpecialTokens: true).ToArray();
        if (ids.Length >= model.ContextLength)
        {
            throw OpenAiException.BadRequest(
                $"This model's maximum context length is {model.ContextLength} tokens; the messages take {ids.Length} tokens.",
                "messages", "context_length_exceeded");
        }

        var room = model.ContextLength - ids.Length;
        if (request.MaxTokens is { } max && max > room)
        {
            throw OpenAiException.BadRequest(
                $"max_tokens is {max}, but the context has room for {room} more tokens after the {ids.Length}-token prompt " +
                $"(context length {model.ContextLength}).", "max_tokens", "context_length_exceeded");
        }

        return (ids, request.MaxTokens ?? room);
    }
}
