using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;

namespace Berth.Registry.Tests;

/// <summary>
/// The feature folders of Berth.Registry (Auth, Distribution, Management, Scanning…) must not depend on each other in
/// a cycle, so each can be read, and changed, knowing only the folders below it. A folder depends on another when a
/// file in it names a top-level type declared in the other. Hosting, the composition root, is left out: it registers
/// every feature and holds the options they all read. The few types beside the folders (namespace Berth.Registry) are
/// shared by several features, so they must use none.
/// </summary>
public sealed partial class FolderDependencyTests(ITestOutputHelper output)
{
    private const string CompositionRoot = "Hosting";

    [Fact]
    public void FeatureFoldersHaveNoCycles()
    {
        var graph = FolderGraph();
        foreach (var (folder, uses) in graph.OrderBy(pair => pair.Key, StringComparer.Ordinal))
        {
            foreach (var (other, evidence) in uses.OrderBy(pair => pair.Key, StringComparer.Ordinal))
            {
                output.WriteLine($"{folder} -> {other}: {evidence}");
            }
        }

        var cycles = new List<string>();
        foreach (var (folder, uses) in graph)
        {
            foreach (var (other, evidence) in uses)
            {
                if (string.CompareOrdinal(folder, other) < 0 && graph[other].TryGetValue(folder, out var back))
                {
                    cycles.Add($"{folder} <-> {other}: {evidence} / {back}");
                }
            }
        }

        var longer = LongerCycles(graph);
        Assert.True(cycles.Count == 0 && longer.Count == 0,
            $"Feature folders depend on each other in a cycle:\n{string.Join("\n", cycles.Concat(longer))}");
    }

    [Fact]
    public void SharedTypesUseNoFeatureFolder()
    {
        var declaredIn = DeclaredTypes();
        var uses = Directory.GetFiles(Path.Combine(RepositoryRoot(), "src", "Berth.Registry"), "*.cs")
            .SelectMany(file => TypeNamesUsed(File.ReadAllText(file), declaredIn.Values)
                .Where(name => declaredIn.TryGetValue(name, out var folder) && folder != CompositionRoot)
                .Select(name => $"{Path.GetFileName(file)} uses {name}"))
            .Distinct()
            .ToList();
        Assert.Empty(uses);
    }

    /// <summary>Folder → (folder it uses → the uses, "File.cs uses Type, …").</summary>
    private static Dictionary<string, Dictionary<string, string>> FolderGraph()
    {
        var source = Path.Combine(RepositoryRoot(), "src", "Berth.Registry");
        var declaredIn = DeclaredTypes();
        var graph = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var directory in Directory.GetDirectories(source))
        {
            var folder = Path.GetFileName(directory);
            if (folder is "bin" or "obj" || folder == CompositionRoot)
            {
                continue;
            }

            var uses = graph[folder] = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in Directory.GetFiles(directory, "*.cs", SearchOption.AllDirectories))
            {
                foreach (var name in TypeNamesUsed(File.ReadAllText(file), declaredIn.Values))
                {
                    if (declaredIn.TryGetValue(name, out var other) && other != folder && other != CompositionRoot)
                    {
                        var use = $"{Path.GetFileName(file)} uses {name}";
                        uses[other] = uses.TryGetValue(other, out var earlier)
                            ? earlier.Contains(use, StringComparison.Ordinal) ? earlier : $"{earlier}, {use}"
                            : use;
                    }
                }
            }
        }

        return graph;
    }

    private static List<string> LongerCycles(Dictionary<string, Dictionary<string, string>> graph)
    {
        // A cycle through three or more folders: some folder reaches itself again.
        var found = new List<string>();
        foreach (var start in graph.Keys)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var pending = new Stack<(string Folder, string Path)>(graph[start].Keys.Select(next => (next, $"{start} -> {next}")));
            while (pending.TryPop(out var step))
            {
                if (step.Folder == start)
                {
                    if (step.Path.Count(c => c == '>') > 2)
                    {
                        found.Add(step.Path);
                    }

                    continue;
                }

                if (seen.Add(step.Folder) && graph.TryGetValue(step.Folder, out var next))
                {
                    foreach (var folder in next.Keys)
                    {
                        pending.Push((folder, $"{step.Path} -> {folder}"));
                    }
                }
            }
        }

        return found;
    }

    /// <summary>Top-level type name → the folder (namespace below Berth.Registry) that declares it.</summary>
    private static Dictionary<string, string> DeclaredTypes()
    {
        var declared = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var type in Assembly.Load("Berth.Registry").GetTypes())
        {
            var parts = type.Namespace?.Split('.') ?? [];
            if (type.IsNested || type.Name.Contains('<', StringComparison.Ordinal) || parts.Length < 3)
            {
                continue;
            }

            var name = type.Name.Split('`')[0];
            declared[name] = parts[2];
        }

        return declared;
    }

    /// <summary>Identifiers in code (not comments or plain strings) that are not a member access (<c>x.Name</c>).</summary>
    private static IEnumerable<string> TypeNamesUsed(string text, IEnumerable<string> folders)
    {
        var namespaces = folders.Append("Berth").ToHashSet(StringComparer.Ordinal);
        var code = CodeOnly(text);
        foreach (Match match in Identifier().Matches(code))
        {
            var before = match.Index - 1;
            while (before >= 0 && char.IsWhiteSpace(code[before]))
            {
                before--;
            }

            if (before < 0 || code[before] != '.' || IsNamespaceQualified(code, before, namespaces))
            {
                yield return match.Value;
            }
        }
    }

    /// <summary><c>Berth.Registry.Auth.Scope</c> and <c>Auth.Scope</c> name a type; <c>options.Scope</c> does not.</summary>
    private static bool IsNamespaceQualified(string code, int dot, HashSet<string> namespaces)
    {
        var start = dot;
        while (start > 0 && (char.IsLetterOrDigit(code[start - 1]) || code[start - 1] is '.' or '_'))
        {
            start--;
        }

        return namespaces.Contains(code[start..dot].Split('.')[0]);
    }

    /// <summary>The text with comments and the contents of non-interpolated strings blanked out.</summary>
    private static string CodeOnly(string text)
    {
        var code = new StringBuilder(text.Length);
        var i = 0;
        while (i < text.Length)
        {
            if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '/')
            {
                while (i < text.Length && text[i] != '\n')
                {
                    i++;
                }
            }
            else if (text[i] == '/' && i + 1 < text.Length && text[i + 1] == '*')
            {
                var end = text.IndexOf("*/", i + 2, StringComparison.Ordinal);
                i = end < 0 ? text.Length : end + 2;
                code.Append(' ');
            }
            else if (text[i] == '\'')
            {
                // A character literal: '"' must not open a string.
                var end = i + 1;
                while (end < text.Length && text[end] != '\'')
                {
                    end += text[end] == '\\' ? 2 : 1;
                }

                i = end + 1;
                code.Append(' ');
            }
            else if (text[i] == '"')
            {
                i = SkipString(text, i, code);
            }
            else
            {
                code.Append(text[i]);
                i++;
            }
        }

        return code.ToString();
    }

    private static int SkipString(string text, int start, StringBuilder code)
    {
        var prefix = start;
        while (prefix > 0 && text[prefix - 1] is '$' or '@')
        {
            prefix--;
        }

        var interpolated = text[prefix..start].Contains('$', StringComparison.Ordinal);
        var verbatim = text[prefix..start].Contains('@', StringComparison.Ordinal);
        var quotes = 0;
        while (start + quotes < text.Length && text[start + quotes] == '"')
        {
            quotes++;
        }

        int end;
        if (quotes >= 3)
        {
            var closing = new string('"', quotes);
            var found = text.IndexOf(closing, start + quotes, StringComparison.Ordinal);
            end = found < 0 ? text.Length : found + quotes;
        }
        else if (quotes == 2 && !verbatim)
        {
            end = start + 2;
        }
        else
        {
            end = start + 1;
            while (end < text.Length)
            {
                if (!verbatim && text[end] == '\\')
                {
                    end += 2;
                }
                else if (text[end] == '"' && verbatim && end + 1 < text.Length && text[end + 1] == '"')
                {
                    end += 2;
                }
                else if (text[end] == '"')
                {
                    end++;
                    break;
                }
                else
                {
                    end++;
                }
            }
        }

        // An interpolated string's holes are code ($"{Type.Member}"); its literal parts hardly ever spell a type name.
        code.Append(interpolated ? text[start..Math.Min(end, text.Length)] : " ");
        return end;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Berth.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Berth.slnx not found above the test binaries.");
    }

    [GeneratedRegex(@"\b[A-Z][A-Za-z0-9_]*\b")]
    private static partial Regex Identifier();
}
