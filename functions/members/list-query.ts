/** The member list's query string (`size`, `next`, `sort`, `order`, `q`, `include`), checked at the edge. */
import { ApiError } from '../shared/errors.ts';
import { SEARCH_KEY_CHARS, searchKey } from '../shared/table.ts';
import { displayTextProblem } from '../shared/text.ts';
import {
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  MEMBER_SORTS,
  type MemberPageRequest,
  SORT_ORDERS,
} from './service.ts';

const invalid = (field: string, message: string) => new ApiError('root.invalid_data', message, [field]);

const oneOf = <T extends string>(field: string, value: string | undefined, allowed: readonly T[]) => {
  if (value === undefined || (allowed as readonly string[]).includes(value)) return value as T | undefined;
  throw invalid(
    field,
    `${field} accepts ${allowed.map((a) => `"${a}"`).join(', ')}; got ${JSON.stringify(value.slice(0, 40))}.`,
  );
};

/**
 * A page request from the query string, or a 400 `root.invalid_data` naming the parameter and what it accepts. A
 * search (`q`) runs over names or addresses, so it defaults to `sort=name` and refuses `sort=role`.
 */
export function memberPageRequest(query: (name: string) => string | undefined): MemberPageRequest {
  // Offset paging (`from`, as Elasticsearch's APIs page) would read and skip every earlier row: this list pages by cursor.
  if (query('from') !== undefined)
    throw invalid('from', 'from is not supported: page with next, the value of "next" in the previous page.');
  const rawSize = query('size');
  const size = rawSize === undefined ? DEFAULT_PAGE_SIZE : Number(rawSize);
  if (!/^\d+$/.test(rawSize ?? '1') || size < 1 || size > MAX_PAGE_SIZE)
    throw invalid('size', `size must be a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  const include = oneOf('include', query('include'), ['invitations'] as const);
  const order = oneOf('order', query('order'), SORT_ORDERS) ?? 'asc';
  const rawSort = oneOf('sort', query('sort'), MEMBER_SORTS);
  const q = query('q')?.trim() ?? '';
  const problem = displayTextProblem(q);
  if (problem) throw invalid('q', `q ${problem}.`);
  if ([...q].length > SEARCH_KEY_CHARS)
    throw invalid('q', `q is a prefix of a name or address of at most ${SEARCH_KEY_CHARS} characters.`);
  const prefix = searchKey(q);
  if (prefix && rawSort === 'role')
    throw invalid(
      'sort',
      'A search (q) matches the start of names (sort=name) or of email addresses (sort=email), not roles: use sort=name or sort=email with q.',
    );
  const sort = rawSort ?? (prefix ? 'name' : 'role');
  const next = query('next');
  return {
    size,
    sort,
    order,
    ...(prefix ? { prefix } : {}),
    ...(next ? { next } : {}),
    ...(include ? { includeInvitations: true } : {}),
  };
}
