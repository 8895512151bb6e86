namespace Berth.Registry.Auth;

/// <summary>A Docker token scope: <c>type:name:action[,action…]</c>, e.g. <c>repository:shop/api:pull,push</c>.</summary>
public sealed record Scope(string Type, string Name, IReadOnlyList<string> Actions)
{
    /// <summary>
    /// Parses one scope. The name may itself contain ':' (a registry host with a port), so the type is
    /// everything before the first ':' and the actions everything after the last.
    /// </summary>
    public static Scope? Parse(string text)
    {
        var first = text.IndexOf(':', StringComparison.Ordinal);
        var last = text.LastIndexOf(':');
        if (first <= 0 || last <= first + 1)
        {
            return null;
        }

        var actions = text[(last + 1)..].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new Scope(text[..first], text[(first + 1)..last], actions);
    }

    /// <summary>Parses every scope of a request: repeated parameters, each possibly space-separated (OAuth2 form).</summary>
    public static List<Scope> ParseAll(IEnumerable<string?> values)
    {
        var result = new List<Scope>();
        foreach (var value in values)
        {
            foreach (var part in (value ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                if (Parse(part) is { } scope)
                {
                    result.Add(scope);
                }
            }
        }

        return result;
    }

    public static RepositoryActions ParseActions(IEnumerable<string> actions)
    {
        var result = RepositoryActions.None;
        foreach (var action in actions)
        {
            result |= action switch
            {
                "pull" => RepositoryActions.Pull,
                "push" => RepositoryActions.Push,
                "delete" => RepositoryActions.Delete,
                "*" => RepositoryActions.All,
                _ => RepositoryActions.None,
            };
        }

        return result;
    }

    public static string FormatActions(RepositoryActions actions)
    {
        var names = new List<string>(3);
        if (actions.HasFlag(RepositoryActions.Pull))
        {
            names.Add("pull");
        }

        if (actions.HasFlag(RepositoryActions.Push))
        {
            names.Add("push");
        }

        if (actions.HasFlag(RepositoryActions.Delete))
        {
            names.Add("delete");
        }

        return string.Join(',', names);
    }
}
