namespace Dnet.Testing;

/// <summary>The checkout the tests run from, for tests that read committed files (the manifest, assembly sources).</summary>
public static class RepositoryFolder
{
    /// <summary>The folder holding <c>Dnet.sln</c>, found upwards from the test assembly.</summary>
    public static string Root
    {
        get
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "Dnet.sln")))
                {
                    return directory.FullName;
                }
            }
            throw new InvalidOperationException($"No Dnet.sln above {AppContext.BaseDirectory}");
        }
    }
}
