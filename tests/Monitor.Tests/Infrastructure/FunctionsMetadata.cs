using System.Text.Json;

namespace Monitor.Tests.Infrastructure;

/// <summary>The functions.metadata that the function app's build writes, as the Functions host reads it.</summary>
public static class FunctionsMetadata
{
    /// <summary>Function name to its JSON description, from the newest build under functions/Monitor.Functions/bin.</summary>
    public static Dictionary<string, JsonElement> Load()
    {
        var bin = Path.Combine(RepoPaths.Root, "functions", "Monitor.Functions", "bin");
        var metadataFile = Directory.Exists(bin)
            ? Directory.EnumerateFiles(bin, "functions.metadata", SearchOption.AllDirectories).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            : null;
        Assert.True(metadataFile is not null, $"no functions.metadata under {bin}: build Monitor.sln first (scripts/test.sh does)");
        using var doc = JsonDocument.Parse(File.ReadAllText(metadataFile));
        return doc.RootElement.EnumerateArray().ToDictionary(f => f.GetProperty("name").GetString()!, f => f.Clone());
    }
}
