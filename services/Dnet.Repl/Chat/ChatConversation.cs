using OpenAI.Chat;

namespace Dnet.Repl.Chat;

/// <summary>
/// A multi-turn chat with one model. Both sides of every completed turn are kept and sent with the next question: the
/// system Dnet re-imagines dropped the assistant's replies, so the model never saw what it had said.
/// </summary>
internal sealed class ChatConversation(string model)
{
    private readonly List<ChatMessage> messages = [];

    public string Model { get; } = model;

    public IReadOnlyList<ChatMessage> Messages => messages;

    /// <summary>The history with <paramref name="question"/> appended, as sent for the next answer.</summary>
    public IReadOnlyList<ChatMessage> Ask(string question) => [.. messages, new UserChatMessage(question)];

    /// <summary>Keeps a completed turn; a cancelled or failed one is not kept, so the next question starts clean.</summary>
    public void Complete(string question, string answer)
    {
        messages.Add(new UserChatMessage(question));
        messages.Add(new AssistantChatMessage(answer));
    }
}
