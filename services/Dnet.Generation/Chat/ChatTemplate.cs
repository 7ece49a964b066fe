using System.Text;
using System.Text.Json;

namespace Dnet.Generation.Chat;

/// <summary>The prompt formats we render without a Jinja engine.</summary>
public enum ChatFormat
{
    /// <summary>&lt;|im_start|&gt;role\ncontent&lt;|im_end|&gt;\n (Qwen2, SmolLM2).</summary>
    ChatMl,

    /// <summary>&lt;|begin_of_text|&gt;&lt;|start_header_id|&gt;role&lt;|end_header_id|&gt;\n\ncontent&lt;|eot_id|&gt; (Llama 3).</summary>
    Llama3,

    /// <summary>
    /// &lt;s&gt;[INST] user [/INST]assistant&lt;/s&gt;[INST] ... (Mistral v0.1); a system message is put before the next
    /// user message, separated by a blank line, as later Mistral templates do.
    /// </summary>
    Mistral,

    /// <summary>&lt;s&gt;[INST] &lt;&lt;SYS&gt;&gt;\nsystem\n&lt;&lt;/SYS&gt;&gt;\n\nuser [/INST] assistant &lt;/s&gt;&lt;s&gt;[INST] ... (Llama 2 chat).</summary>
    Llama2,

    /// <summary>Fallback when the template is missing or unknown: "System: ...\nUser: ...\nAssistant:".</summary>
    Plain,
}

/// <summary>
/// Renders chat messages into the prompt a model was trained on. The format is recognised from the marker tokens
/// in tokenizer_config.json's chat_template; the Jinja itself is not run, so template extras (default system
/// prompts, tool calls, Llama 3.1's date preamble) are not reproduced.
/// </summary>
public sealed class ChatTemplate
{
    private static readonly string[] Roles = ["system", "user", "assistant"];

    /// <summary>Uses <paramref name="format"/> directly.</summary>
    public ChatTemplate(ChatFormat format) => Format = format;

    /// <summary>The format this template renders.</summary>
    public ChatFormat Format { get; }

    /// <summary>True when no known template was found and the plain format is used; callers should log it.</summary>
    public bool IsFallback => Format == ChatFormat.Plain;

    /// <summary>Recognises a chat_template string; null or unknown gives the plain fallback.</summary>
    public static ChatTemplate Detect(string? chatTemplate)
    {
        if (chatTemplate is null)
        {
            return new ChatTemplate(ChatFormat.Plain);
        }

        if (chatTemplate.Contains("<|start_header_id|>", StringComparison.Ordinal) && chatTemplate.Contains("<|eot_id|>", StringComparison.Ordinal))
        {
            return new ChatTemplate(ChatFormat.Llama3);
        }

        if (chatTemplate.Contains("[INST]", StringComparison.Ordinal) && chatTemplate.Contains("[/INST]", StringComparison.Ordinal))
        {
            return new ChatTemplate(chatTemplate.Contains("<<SYS>>", StringComparison.Ordinal) ? ChatFormat.Llama2 : ChatFormat.Mistral);
        }

        return new ChatTemplate(chatTemplate.Contains("<|im_start|>", StringComparison.Ordinal) ? ChatFormat.ChatMl : ChatFormat.Plain);
    }

    /// <summary>
    /// Reads chat_template from tokenizer_config.json (a string, or a list of named templates where "default" is
    /// used). A missing file or field gives the plain fallback; a file that is not JSON throws.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is not JSON; the message names it.</exception>
    public static ChatTemplate Load(string tokenizerConfigPath)
    {
        if (!File.Exists(tokenizerConfigPath))
        {
            return Detect(null);
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(tokenizerConfigPath));
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("chat_template", out JsonElement template))
            {
                return Detect(null);
            }

            return template.ValueKind switch
            {
                JsonValueKind.String => Detect(template.GetString()),
                JsonValueKind.Array => Detect(template.EnumerateArray()
                    .Where(t => t.TryGetProperty("name", out JsonElement n) && n.GetString() == "default")
                    .Select(t => t.TryGetProperty("template", out JsonElement body) ? body.GetString() : null)
                    .FirstOrDefault()),
                _ => Detect(null),
            };
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{tokenizerConfigPath}: not valid JSON ({ex.Message})", ex);
        }
    }

    /// <summary>Renders messages; with <paramref name="addGenerationPrompt"/> the prompt ends where the assistant's reply begins.</summary>
    /// <exception cref="ArgumentException">A role other than system, user or assistant.</exception>
    public string Render(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true) =>
        RenderPrompt(messages, addGenerationPrompt).Text;

    /// <summary>
    /// Renders messages and records where each message's content lies, so that it can be tokenized as plain text
    /// (see <see cref="Tokenization.TextTokenizer.Encode(RenderedPrompt)"/>).
    /// </summary>
    /// <exception cref="ArgumentException">A role other than system, user or assistant.</exception>
    public RenderedPrompt RenderPrompt(IReadOnlyList<ChatMessage> messages, bool addGenerationPrompt = true)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var prompt = new StringBuilder();
        var content = new List<Range>(messages.Count);
        void AppendContent(string text)
        {
            content.Add(new Range(prompt.Length, prompt.Length + text.Length));
            prompt.Append(text);
        }

        foreach (ChatMessage message in messages)
        {
            if (!Roles.Contains(message.Role))
            {
                throw new ArgumentException($"Unsupported chat role '{message.Role}'; expected system, user or assistant.", nameof(messages));
            }
        }

        if (Format is ChatFormat.Mistral or ChatFormat.Llama2)
        {
            InstructPrompt.Render(Format == ChatFormat.Llama2, messages, prompt, AppendContent);
            return new RenderedPrompt(prompt.ToString(), content);
        }

        if (Format == ChatFormat.Llama3)
        {
            prompt.Append("<|begin_of_text|>");
        }

        foreach (ChatMessage message in messages)
        {
            switch (Format)
            {
                case ChatFormat.ChatMl:
                    prompt.Append("<|im_start|>").Append(message.Role).Append('\n');
                    AppendContent(message.Content);
                    prompt.Append("<|im_end|>\n");
                    break;
                case ChatFormat.Llama3:
                    prompt.Append("<|start_header_id|>").Append(message.Role).Append("<|end_header_id|>\n\n");
                    // Llama 3's template trims each message's content.
                    AppendContent(message.Content.Trim());
                    prompt.Append("<|eot_id|>");
                    break;
                default:
                    prompt.Append(Capitalized(message.Role)).Append(": ");
                    AppendContent(message.Content);
                    prompt.Append('\n');
                    break;
            }
        }

        if (addGenerationPrompt)
        {
            prompt.Append(Format switch
            {
                ChatFormat.ChatMl => "<|im_start|>assistant\n",
                ChatFormat.Llama3 => "<|start_header_id|>assistant<|end_header_id|>\n\n",
                _ => "Assistant:",
            });
        }

        return new RenderedPrompt(prompt.ToString(), content);
    }

    private static string Capitalized(string role) => char.ToUpperInvariant(role[0]) + role[1..];
}
