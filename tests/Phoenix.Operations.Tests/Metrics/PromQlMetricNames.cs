namespace Phoenix.Operations.Tests.Metrics;

/// <summary>
/// The metric names a PromQL expression selects (a Grafana query may also hold <c>$variables</c>). A small scanner,
/// not a parser: it skips string literals, label matchers (<c>{…}</c>), ranges and subqueries (<c>[…]</c>),
/// numbers and durations, <c>#</c> comments, Grafana variables, keywords and binary operators, the label lists after
/// <c>by</c>, <c>without</c>, <c>on</c>, <c>ignoring</c>, <c>group_left</c> and <c>group_right</c>, and every
/// identifier followed by <c>(</c> (a function or an aggregation). What is left is an identifier in selector
/// position: a metric name. Names given only as <c>{__name__="…"}</c> are not seen.
/// </summary>
internal static class PromQlMetricNames
{
    private static readonly HashSet<string> Keywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset",
        "atan2", "inf", "nan",
    };

    private static readonly HashSet<string> LabelListKeywords = new(StringComparer.OrdinalIgnoreCase)
    {
        "by", "without", "on", "ignoring", "group_left", "group_right",
    };

    /// <summary>The distinct metric names in <paramref name="expression"/>, in order of appearance.</summary>
    public static IReadOnlyList<string> Of(string expression)
    {
        ArgumentNullException.ThrowIfNull(expression);
        var names = new List<string>();
        var i = 0;
        while (i < expression.Length)
        {
            var c = expression[i];
            if (c is '"' or '\'' or '`')
            {
                i = SkipString(expression, i);
            }
            else if (c == '{')
            {
                i = SkipTo(expression, i, '}');
            }
            else if (c == '[')
            {
                i = SkipTo(expression, i, ']');
            }
            else if (c == '#')
            {
                i = SkipLine(expression, i);
            }
            else if (c == '$')
            {
                i = SkipVariable(expression, i);
            }
            else if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < expression.Length && char.IsAsciiDigit(expression[i + 1])))
            {
                i = SkipNumber(expression, i);
            }
            else if (IsIdentifierStart(c))
            {
                var start = i;
                while (i < expression.Length && IsIdentifierPart(expression[i]))
                {
                    i++;
                }

                var identifier = expression[start..i];
                var next = SkipSpace(expression, i);
                var callOrList = next < expression.Length && expression[next] == '(';

                // sum by (le) (…), count without (x) (…): an aggregation whose modifier comes first.
                var word = WordAt(expression, next);
                var aggregation = !callOrList
                    && (word.Equals("by", StringComparison.OrdinalIgnoreCase) || word.Equals("without", StringComparison.OrdinalIgnoreCase));
                if (LabelListKeywords.Contains(identifier))
                {
                    // by (a, b) / on (job) / group_left (label): a list of labels, never metrics.
                    i = callOrList ? SkipTo(expression, next, ')') : i;
                }
                else if (!callOrList && !aggregation && !Keywords.Contains(identifier) && !names.Contains(identifier, StringComparer.Ordinal))
                {
                    names.Add(identifier);
                }
            }
            else
            {
                i++;
            }
        }

        return names;
    }

    private static bool IsIdentifierStart(char c) => char.IsAsciiLetter(c) || c is '_' or ':';

    private static bool IsIdentifierPart(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or ':';

    private static string WordAt(string s, int i)
    {
        var end = i;
        while (end < s.Length && IsIdentifierPart(s[end]))
        {
            end++;
        }

        return s[i..end];
    }

    private static int SkipSpace(string s, int i)
    {
        while (i < s.Length && char.IsWhiteSpace(s[i]))
        {
            i++;
        }

        return i;
    }

    /// <summary>Past the closing <paramref name="close"/> of the bracket at <paramref name="i"/>, strings inside skipped.</summary>
    private static int SkipTo(string s, int i, char close)
    {
        var open = s[i];
        var depth = 0;
        while (i < s.Length)
        {
            var c = s[i];
            if (c is '"' or '\'' or '`')
            {
                i = SkipString(s, i);
                continue;
            }

            if (c == open)
            {
                depth++;
            }
            else if (c == close && --depth == 0)
            {
                return i + 1;
            }

            i++;
        }

        throw new FormatException($"Unbalanced '{open}' in: {s}");
    }

    private static int SkipString(string s, int i)
    {
        var quote = s[i++];
        while (i < s.Length && s[i] != quote)
        {
            i += s[i] == '\\' && quote != '`' ? 2 : 1;
        }

        if (i >= s.Length)
        {
            throw new FormatException($"Unterminated string in: {s}");
        }

        return i + 1;
    }

    private static int SkipLine(string s, int i)
    {
        var end = s.IndexOf('\n', i);
        return end < 0 ? s.Length : end + 1;
    }

    // $name, ${name}, ${name:format}, $__rate_interval
    private static int SkipVariable(string s, int i)
    {
        i++;
        if (i < s.Length && s[i] == '{')
        {
            return SkipTo(s, i, '}');
        }

        while (i < s.Length && IsIdentifierPart(s[i]))
        {
            i++;
        }

        return i;
    }

    // 0.95, 1e3, 0x1F, and durations such as 5m or 1h30m: a digit starts a token of letters, digits and dots.
    private static int SkipNumber(string s, int i)
    {
        while (i < s.Length && (char.IsAsciiLetterOrDigit(s[i]) || s[i] is '.' or '_'))
        {
            var exponentSign = (s[i] is 'e' or 'E') && i + 1 < s.Length && s[i + 1] is '+' or '-';
            i += exponentSign ? 2 : 1;
        }

        return i;
    }
}
