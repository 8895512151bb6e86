namespace Berth.Scanning.Versions;

/// <summary>
/// Alpine package versions (apk-tools' version.c): <c>digits{.digits}[letter]{_suffix[N]}[-rN]</c>, read as a
/// stream of typed tokens. Pre-release suffixes (_alpha, _beta, _pre, _rc) sort before the bare version, post-release
/// ones (_cvs, _svn, _git, _hg, _p) after it; a dotted component with leading zeros compares as a fraction (apk weighs
/// the zeros negatively); when one version runs out, the longer one is newer unless its next token is a pre-release.
/// </summary>
public sealed class ApkVersion : VersionComparer<ApkVersion.Token[]>
{
    public static readonly ApkVersion Instance = new();

    // apk's token kinds, in apk's order, which matters twice: a kind may be followed by an earlier kind only in the
    // three pairs apk allows (Digit→DigitOrZero, SuffixNumber→Suffix, Letter→Digit), and where two versions diverge
    // in kind, the earlier kind (more version still to come) is the newer version.
    public enum Kind { DigitOrZero, Digit, Letter, Suffix, SuffixNumber, RevisionNumber, End }

    public readonly record struct Token(Kind Kind, long Value);

    private static readonly string[] PreSuffixes = ["alpha", "beta", "pre", "rc"];
    private static readonly string[] PostSuffixes = ["cvs", "svn", "git", "hg", "p"];

    public override string Name => "apk";

    public override bool TryParse(string version, out Token[] parsed)
    {
        var tokens = new List<Token>();
        var s = version.AsSpan().Trim();
        var kind = Kind.Digit;
        var pos = 0;
        while (pos < s.Length)
        {
            var tokenKind = kind;
            if (!ReadValue(s, ref pos, ref kind, out var value))
            {
                parsed = [];
                return false;
            }
            tokens.Add(new Token(tokenKind, value));
            // After a run of leading zeros ReadValue already chose the next kind (Digit); otherwise the character
            // at `pos` decides it.
            if (pos < s.Length && kind == tokenKind && !Advance(s, ref pos, ref kind))
            {
                parsed = [];
                return false;
            }
        }
        tokens.Add(new Token(Kind.End, 0));
        parsed = [.. tokens];
        return tokens.Count > 1;
    }

    // Reads the value of the token of kind `kind` at `pos` (apk's get_token, value half).
    private static bool ReadValue(ReadOnlySpan<char> s, ref int pos, ref Kind kind, out long value)
    {
        value = 0;
        switch (kind)
        {
            case Kind.DigitOrZero when s[pos] == '0':
                // Leading zeros: apk scores "-count of zeros", and the digits after them form a new Digit token,
                // so 1.01 < 1.1 and 1.001 < 1.01 (fractional reading of the component).
                var start = pos;
                while (pos < s.Length && s[pos] == '0')
                {
                    pos++;
                }

                value = -(pos - start);
                kind = Kind.Digit;
                return true;
            case Kind.DigitOrZero or Kind.Digit or Kind.SuffixNumber or Kind.RevisionNumber:
                // apk accepts an empty run here (value 0), e.g. the digits token right after a zero run.
                var first = pos;
                while (pos < s.Length && char.IsAsciiDigit(s[pos]))
                {
                    value = value * 10 + (s[pos++] - '0');
                }

                return pos - first <= 18; // beyond that a long would overflow; apk's int would too

            case Kind.Letter:
                value = s[pos++];
                return true;
            case Kind.Suffix:
                for (var i = 0; i < PreSuffixes.Length; i++)
                {
                    if (s[pos..].StartsWith(PreSuffixes[i], StringComparison.Ordinal))
                    {
                        pos += PreSuffixes[i].Length;
                        value = i - PreSuffixes.Length; // negative: sorts before the release
                        return true;
                    }
                }

                for (var i = 0; i < PostSuffixes.Length; i++)
                {
                    if (s[pos..].StartsWith(PostSuffixes[i], StringComparison.Ordinal))
                    {
                        pos += PostSuffixes[i].Length;
                        value = i;
                        return true;
                    }
                }

                return false;
            default:
                return false;
        }
    }

    // Decides the kind of the next token from the separator or character class at `pos` (apk's next_token), and
    // enforces the order in which token kinds may follow each other.
    private static bool Advance(ReadOnlySpan<char> s, ref int pos, ref Kind kind)
    {
        var c = s[pos];
        Kind next;
        if (kind is Kind.Digit or Kind.DigitOrZero && char.IsAsciiLetterLower(c))
        {
            next = Kind.Letter;
        }
        else if (kind == Kind.Letter && char.IsAsciiDigit(c))
        {
            next = Kind.Digit;
        }
        else if (kind == Kind.Suffix && char.IsAsciiDigit(c))
        {
            next = Kind.SuffixNumber;
        }
        else
        {
            switch (c)
            {
                case '.':
                    next = Kind.DigitOrZero;
                    break;
                case '_':
                    next = Kind.Suffix;
                    break;
                case '-' when pos + 1 < s.Length && s[pos + 1] == 'r':
                    next = Kind.RevisionNumber;
                    pos++;
                    break;
                default:
                    return false;
            }
            pos++;
        }
        if (next < kind && !((next == Kind.DigitOrZero && kind == Kind.Digit)
                             || (next == Kind.Suffix && kind == Kind.SuffixNumber)
                             || (next == Kind.Digit && kind == Kind.Letter)))
        {
            return false;
        }

        kind = next;
        return true;
    }

    public override int Compare(Token[] a, Token[] b)
    {
        var i = 0;
        while (a[i].Kind == b[i].Kind && a[i].Kind != Kind.End)
        {
            if (a[i].Value != b[i].Value)
            {
                return a[i].Value.CompareTo(b[i].Value);
            }

            i++;
        }
        if (a[i].Kind == b[i].Kind)
        {
            return 0;
        }
        // One side has more to come: it is newer, unless what comes is a pre-release suffix.
        if (a[i].Kind == Kind.Suffix && a[i].Value < 0)
        {
            return -1;
        }

        if (b[i].Kind == Kind.Suffix && b[i].Value < 0)
        {
            return 1;
        }

        return a[i].Kind > b[i].Kind ? -1 : 1;
    }
}
