namespace Dnet.Generation.Tokenization;

/// <summary>The English text the generated tokenizers learn their merges from (written for this project).</summary>
internal static class TrainingCorpus
{
    public const string Text = """
        The morning train left the station at seven, and the city was still quiet. A few people read the news,
        others looked out of the window at the river, the bridges and the long grey roofs of the old town.
        When the sun came up, the light turned the water gold, and the children in the last car began to sing.

        Questions and answers:
        What is a model? A model is a small picture of a large thing. It keeps what matters and leaves out the rest.
        How does a computer learn? It reads many examples, makes a guess, measures how wrong the guess was,
        and changes itself a little so that the next guess is better. Then it does the same thing again.
        Why do we test our work? Because we make mistakes, and a test that fails tells us where they are.

        The assistant said: "Hello! I'm happy to help you today. What would you like to know?"
        The user said: "Can you tell me about the weather, the time, and the best way to get home?"
        "Of course," said the assistant. "It's sunny and warm, it's half past three, and the bus is faster than walking."
        "Thank you. That's very kind." "You're welcome. Have a good day, and don't forget your umbrella."

        A short history of numbers: people first counted with their fingers, then with marks on wood and stone.
        Later they wrote 1, 2, 3, 10, 100 and 1000, and they learned to add, subtract, multiply and divide.
        In 1969 people walked on the moon; in 2024 there were more than 8 billion people on the earth.
        Seventeen plus twenty-five is forty-two. Half of 50 is 25, and 3.14 is close to the number pi.

        In the garden there were apples, pears, plums and cherries. The birds sang in the trees, the bees moved
        from flower to flower, and an old cat slept in the warm grass near the wall. Every evening the gardener
        walked along the paths, looked at each plant, and wrote a few words in a small notebook: water, wind,
        sun, rain, growth. Over the years the notebook became a story of the garden and of the people in it.

        Good software is simple to read, easy to change and hard to break. Write small functions, give them clear
        names, and explain why, not what. When something goes wrong, read the error message carefully; it often
        says exactly what the problem is. Keep your tests fast, your builds green and your promises small.

        The ship sailed north through the night. The captain stood on the deck and watched the stars, while the
        crew slept below. At dawn they saw the coast: white cliffs, green hills and a small harbour with red boats.
        "Land!" shouted the boy on the mast. Everyone ran to the side of the ship to look, laughing and talking.

        Recipe for bread: mix flour, water, salt and yeast. Knead the dough for ten minutes, let it rise for one
        hour, shape it, and bake it in a hot oven for forty minutes. Let it cool before you cut it. Share it with
        friends, because bread tastes better when it is shared.

        Letters to a young writer: read widely, write every day, and do not be afraid of the blank page. Your first
        drafts will be bad; that is normal. The work is in the rewriting. Cut the words that do not help, keep the
        ones that sing, and always think about the reader who will hold your book in their hands.

        Mountains rise slowly and fall slowly. Rivers carve valleys over thousands of years, and the wind shapes
        the sand into dunes. The world changes all the time, even when it looks still. Scientists measure these
        changes with care, and they share what they find so that others can check it, question it and build on it.

        """;
}
