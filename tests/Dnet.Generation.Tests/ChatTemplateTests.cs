using Dnet.Generation.Chat;

namespace Dnet.Generation.Tests;

[TestClass]
public sealed class ChatTemplateTests
{
    private static readonly ChatMessage[] Conversation =
    [
        new("system", "You are brief."),
        new("user", "Hi!"),
        new("assistant", "Hello."),
        new("user", "2+2?"),
    ];

    [TestMethod]
    public void Renders_chatml_exactly()
    {
        ChatTemplate template = ChatTemplate.Detect("{% for message in messages %}{{'<|im_start|>' + message['role'] ... '<|im_end|>'}}");

        Assert.AreEqual(ChatFormat.ChatMl, template.Format);
        Assert.AreEqual(
            "<|im_start|>system\nYou are brief.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n"
            + "<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n<|im_start|>assistant\n",
            template.Render(Conversation));
    }

    [TestMethod]
    public void Renders_llama3_exactly_with_bos()
    {
        ChatTemplate template = ChatTemplate.Detect("{{ bos_token }}{% for m in messages %}<|start_header_id|>{{ m.role }}<|end_header_id|>\n\n{{ m.content | trim }}<|eot_id|>{% endfor %}");

        Assert.AreEqual(ChatFormat.Llama3, template.Format);
        Assert.AreEqual(
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are brief.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\nHello.<|eot_id|>"
            + "<|start_header_id|>user<|end_header_id|>\n\n2+2?<|eot_id|>"
            + "<|start_header_id|>assistant<|end_header_id|>\n\n",
            template.Render(Conversation));
    }

    [TestMethod]
    public void Without_generation_prompt_ends_after_the_last_message()
    {
        string prompt = new ChatTemplate(ChatFormat.ChatMl).Render([new("user", "Hi")], addGenerationPrompt: false);

        Assert.AreEqual("<|im_start|>user\nHi<|im_end|>\n", prompt);
    }

    [TestMethod]
    [DataRow(null)]
    [DataRow("{{ messages[0].content }}")]
    public void Unknown_or_missing_template_falls_back_and_says_so(string? chatTemplate)
    {
        ChatTemplate template = ChatTemplate.Detect(chatTemplate);

        Assert.IsTrue(template.IsFallback);
        Assert.AreEqual("System: You are brief.\nUser: Hi!\nAssistant: Hello.\nUser: 2+2?\nAssistant:", template.Render(Conversation));
    }

    [TestMethod]
    public void Generated_tokenizer_config_is_chatml()
    {
        ChatTemplate template = ChatTemplate.Load(Path.Combine(TokenizerFolder.TinyPath, "tokenizer_config.json"));

        Assert.AreEqual(ChatFormat.ChatMl, template.Format);
        Assert.IsFalse(template.IsFallback);
    }

    [TestMethod]
    public void Missing_config_falls_back() =>
        Assert.IsTrue(ChatTemplate.Load(Path.Combine(TokenizerFolder.NewTempFolder(), "tokenizer_config.json")).IsFallback);

    [TestMethod]
    public void Unknown_role_is_rejected() =>
        Assert.ThrowsExactly<ArgumentException>(() => new ChatTemplate(ChatFormat.ChatMl).Render([new("tool", "{}")]));
}
