namespace Berth.Testing;

/// <summary>Temporary directories for one test run, removed on dispose unless BERTH_TEST_KEEP_TEMP is set.</summary>
public static class TempDirs
{
    public static string Create(string prefix)
    {
        var path = Path.Combine(Path.GetTempPath(), "berth-tests", $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)]);
        Directory.CreateDirectory(path);
        return path;
    }

    public static void TryDelete(string path)
    {
        if (Environment.GetEnvironmentVariable("BERTH_TEST_KEEP_TEMP") is { Length: > 0 })
        {
            return;
        }

        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Best effort: a leftover temp directory must not fail a test.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
