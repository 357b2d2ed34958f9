using System.Text.Json;

namespace Monitor.Tests.Infrastructure;

/// <summary>The functions.metadata that the function app's build writes, as the Functions host reads it.</summary>
public static class FunctionsMetadata
{
    /// <summary>
    /// Function name to its JSON description, from the build under test: the function app built with this test
    /// assembly's configuration and target framework (the project reference builds it alongside), never another,
    /// possibly stale, build that happens to be newer.
    /// </summary>
    public static Dictionary<string, JsonElement> Load() => Load(Path.Combine(RepoPaths.Root, "functions", "Monitor.Functions"));

    /// <summary>The same, for the function app project in <paramref name="projectDirectory"/>.</summary>
    public static Dictionary<string, JsonElement> Load(string projectDirectory)
    {
        var metadataFile = PathOfBuildUnderTest(projectDirectory);
        Assert.True(File.Exists(metadataFile), $"no {metadataFile}: build Monitor.sln with the configuration of the tests first (scripts/test.sh does)");
        using var doc = JsonDocument.Parse(File.ReadAllText(metadataFile));
        return doc.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone());
    }

    /// <summary>bin/&lt;configuration&gt;/&lt;tfm&gt;/functions.metadata, taken from where this test assembly was built to.</summary>
    public static string PathOfBuildUnderTest(string projectDirectory)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var (configuration, framework) = (output.Parent!.Name, output.Name);
        return Path.Combine(projectDirectory, "bin", configuration, framework, "functions.metadata");
    }
}
