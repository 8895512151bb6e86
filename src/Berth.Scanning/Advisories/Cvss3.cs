namespace Berth.Scanning.Advisories;

/// <summary>CVSS v3.0/v3.1 base score from a vector string, per the FIRST specification (§7.1 formulas, Appendix A Roundup).</summary>
public static class Cvss3
{
    private static readonly string[] BaseMetrics = ["AV", "AC", "PR", "UI", "S", "C", "I", "A"];

    public static bool TryScore(string vector, out double score)
    {
        score = 0;
        var parts = vector.Trim().Split('/');
        var v31 = parts[0] == "CVSS:3.1";
        if (!v31 && parts[0] != "CVSS:3.0")
        {
            return false;
        }

        var metrics = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in parts.Skip(1))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            // Each metric may appear once (§6); temporal and environmental metrics do not change the base score.
            if (colon <= 0 || !metrics.TryAdd(part[..colon], part[(colon + 1)..]))
            {
                return false;
            }
        }
        if (!BaseMetrics.All(metrics.ContainsKey))
        {
            return false;
        }

        var changed = metrics["S"] switch { "U" => false, "C" => true, _ => (bool?)null };
        double? av = metrics["AV"] switch { "N" => 0.85, "A" => 0.62, "L" => 0.55, "P" => 0.2, _ => null };
        double? ac = metrics["AC"] switch { "L" => 0.77, "H" => 0.44, _ => null };
        // Privileges Required weighs more when the scope changes.
        double? pr = metrics["PR"] switch { "N" => 0.85, "L" => changed == true ? 0.68 : 0.62, "H" => changed == true ? 0.5 : 0.27, _ => null };
        double? ui = metrics["UI"] switch { "N" => 0.85, "R" => 0.62, _ => null };
        double? c = Cia(metrics["C"]), i = Cia(metrics["I"]), a = Cia(metrics["A"]);
        if (changed is null || av is null || ac is null || pr is null || ui is null || c is null || i is null || a is null)
        {
            return false;
        }

        var iss = 1 - ((1 - c.Value) * (1 - i.Value) * (1 - a.Value));
        var impact = changed.Value
            ? (7.52 * (iss - 0.029)) - (3.25 * Math.Pow(iss - 0.02, 15))
            : 6.42 * iss;
        var exploitability = 8.22 * av.Value * ac.Value * pr.Value * ui.Value;
        if (impact <= 0)
        {
            return true;
        }

        var raw = changed.Value ? Math.Min(1.08 * (impact + exploitability), 10) : Math.Min(impact + exploitability, 10);
        score = v31 ? Roundup31(raw) : Math.Ceiling(raw * 10) / 10;
        return true;
    }

    private static double? Cia(string value) => value switch { "H" => 0.56, "L" => 0.22, "N" => 0, _ => null };

    // CVSS 3.1 Appendix A: round up to one decimal, working in integers to avoid floating-point artefacts.
    private static double Roundup31(double value)
    {
        var scaled = (long)Math.Round(value * 100000);
        return scaled % 10000 == 0 ? scaled / 100000.0 : (Math.Floor(scaled / 10000.0) + 1) / 10.0;
    }
}
