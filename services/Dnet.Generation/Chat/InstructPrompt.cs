using System.Text;

namespace Dnet.Generation.Chat;

/// <summary>
/// The [INST] prompts of Llama 2 chat and Mistral instruct models. Their templates know only user and assistant turns;
/// a system message goes into the next user turn (Llama 2 inside &lt;&lt;SYS&gt;&gt;, Mistral before it with a blank
/// line). The prompt ends after the last [/INST], where the reply begins, so there is no separate generation prompt.
/// [INST] is plain text in these vocabularies; only &lt;s&gt; and &lt;/s&gt; are special tokens.
/// </summary>
internal static class InstructPrompt
{
    public static void Render(bool llama2, IReadOnlyList<ChatMessage> messages, StringBuilder prompt, Action<string> appendContent)
    {
        if (!llama2)
        {
            prompt.Append("<s>");
        }

        string? system = null;
        foreach (ChatMessage message in messages)
        {
            switch (message.Role)
            {
                case "system":
                    system = system is null ? message.Content : system + "\n\n" + message.Content;
                    break;
                case "user":
                    OpenTurn(llama2, prompt, system, appendContent);
                    system = null;
                    // Llama 2's template strips each message's content.
                    appendContent(llama2 ? message.Content.Trim() : message.Content);
                    prompt.Append(" [/INST]");
                    break;
                default:
                    if (llama2)
                    {
                        prompt.Append(' ');
                        appendContent(message.Content.Trim());
                        prompt.Append(" </s>");
                    }
                    else
                    {
                        appendContent(message.Content);
                        prompt.Append("</s>");
                    }

                    break;
            }
        }

        if (system is not null)
        {
            // A system message with no user turn after it still reaches the model, as an instruction of its own.
            OpenTurn(llama2, prompt, system, appendContent);
            prompt.Append(" [/INST]");
        }
    }

    private static void OpenTurn(bool llama2, StringBuilder prompt, string? system, Action<string> appendContent)
    {
        prompt.Append(llama2 ? "<s>[INST] " : "[INST] ");
        if (system is null)
        {
            return;
        }

        if (llama2)
        {
            prompt.Append("<<SYS>>\n");
            appendContent(system.Trim());
            prompt.Append("\n<</SYS>>\n\n");
        }
        else
        {
            appendContent(system);
            prompt.Append("\n\n");
        }
    }
}
