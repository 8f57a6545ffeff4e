"""Entities as Datagrok shows them, and who may see or change them."""
from __future__ import annotations

from . import masking
from .lookups import Lookups, pick_credentials
from .store import ADMINISTRATORS, ALL_USERS


class ApiError(Exception):
    """Rendered as {"#type": "ApiError", "message", "errorCode"} with an api-error header."""

    def __init__(self, code: int, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def not_found():
    return ApiError(404, 'Not Found')


def access_denied(what: str):
    return ApiError(403, 'Access denied: you do not have the %s permission' % what)


# ---- users and groups -------------------------------------------------------------------------------------------

def group_ids_of(store, personal_group_id: str) -> set:
    """A user belongs to their personal group and, through nesting, to every group above it."""
    found, todo = set(), [personal_group_id]
    while todo:
        gid = todo.pop()
        if gid in found:
            continue
        found.add(gid)
        todo += [row['parent_id'] for row in store.all('SELECT parent_id FROM memberships WHERE child_id = ?', (gid,))]
    return found


def load_user(store, user_id: str):
    user = store.one('SELECT * FROM users WHERE id = ?', (user_id,))
    if user is not None:
        user['groups'] = group_ids_of(store, user['group_id'])
        user['is_admin'] = ADMINISTRATORS in user['groups']
    return user


def may_bind_credentials(store, user, group_id: str) -> bool:
    """Who may set a group's credentials, beyond editing the entity (help/govern/access-control/access-control.md,
    "Manage credentials"): anyone for All users; for another group, an administrator of the platform or of that group."""
    if group_id == ALL_USERS or user['is_admin']:
        return True
    return store.one('SELECT id FROM memberships WHERE parent_id = ? AND child_id = ? AND is_admin = 1',
                     (group_id, user['group_id'])) is not None


def namespace_of(user) -> str:
    return user['project'] + ':'


def group_small(row) -> dict:
    return {'#type': 'Group', 'id': row['id'], 'name': row['name'], 'friendlyName': row['friendly_name'],
            'personal': bool(row['personal'])}


def group_json(store, row, relations=('parents', 'children')) -> dict:
    data = group_small(row)
    data.update({'description': row['description'], 'hidden': bool(row['hidden']), 'namespace': None,
                 'createdOn': row['created_on'], 'updatedOn': row['updated_on']})
    for kind in relations:
        data[kind] = [relation_json(store, link) for link in member_links(store, row['id'], kind)]
    return data


def member_links(store, group_id: str, kind: str) -> list:
    """'children' are the members of a group, 'parents' the groups it is a member of."""
    column = 'parent_id' if kind == 'children' else 'child_id'
    return store.all('SELECT * FROM memberships WHERE %s = ? ORDER BY id' % column, (group_id,))


def relation_json(store, link) -> dict:
    parent = store.one('SELECT * FROM groups WHERE id = ?', (link['parent_id'],))
    child = store.one('SELECT * FROM groups WHERE id = ?', (link['child_id'],))
    return {'id': link['id'], 'isAdmin': bool(link['is_admin']),
            'parent': group_small(parent) if parent else None, 'child': group_small(child) if child else None}


def user_small(row) -> dict:
    return {'#type': 'User', 'id': row['id'], 'login': row['login'], 'name': row['name'], 'friendlyName': row['friendly_name']}


def user_json(store, row, with_project=True) -> dict:
    """User JSON; ``project`` (the personal project, whose name is the user's namespace) per --user-project."""
    group = store.one('SELECT * FROM groups WHERE id = ?', (row['group_id'],))
    data = user_small(row)
    data.update({'firstName': row['first_name'], 'lastName': row['last_name'], 'email': row['email'], 'status': 'active',
                 'storage': None, 'group': group_small(group) if group else None, 'namespace': None,
                 'createdOn': row['created_on'], 'updatedOn': row['created_on']})
    if with_project:
        data['project'] = {'#type': 'Project', 'name': row['project']}
    if 'is_admin' in row:
        data['isAdmin'] = row['is_admin']
    return data


def find_group(store, ref: str):
    row = store.one('SELECT * FROM groups WHERE id = ?', (ref.lower(),))
    if row is None:
        low = ref.casefold()
        matches = [g for g in store.all('SELECT * FROM groups ORDER BY personal, created_on, id')
                   if low in (g['name'].casefold(), g['friendly_name'].casefold())]
        row = matches[0] if matches else None
    return row


def share_target(store, name: str):
    """Shares accept group names and user logins or names; a user stands for their personal group."""
    row = find_group(store, name)
    if row is None:
        low = name.casefold()
        for user in store.all('SELECT * FROM users ORDER BY login'):
            if low in (user['login'].casefold(), user['name'].casefold(), user['friendly_name'].casefold()):
                return store.one('SELECT * FROM groups WHERE id = ?', (user['group_id'],))
    return row


# ---- connections ------------------------------------------------------------------------------------------------

def containers_of(store, entity_id: str) -> list:
    """The projects that link an entity: their grants reach it (inheritedByLink)."""
    return [row['project_id'] for row in store.all('SELECT project_id FROM project_links WHERE entity_id = ? ORDER BY project_id',
                                                   (entity_id,))]


def granted(store, user, entity_id: str) -> set:
    """Permission names the user holds on an entity through any of their groups, its own or inherited from a project."""
    entities = [entity_id] + containers_of(store, entity_id)
    rows = store.all('SELECT group_id, permission FROM permissions WHERE entity_id IN (%s)' % ', '.join('?' * len(entities)),
                     entities)
    return {row['permission'] for row in rows if row['group_id'] in user['groups']}


def can_view(store, user, conn) -> bool:
    # A new entity is visible only to its author until it is shared; administrators see everything.
    return user['is_admin'] or conn['author_id'] == user['id'] or bool(granted(store, user, conn['id']))


def can_edit(store, user, conn) -> bool:
    return user['is_admin'] or conn['author_id'] == user['id'] or 'Edit' in granted(store, user, conn['id'])


def find_connection(store, user, ref: str):
    """By id, or by grok name: Dart turns '.' back into ':' and splits on the last ':'. Names ignore case."""
    row = store.one('SELECT * FROM connections WHERE id = ?', (ref.lower(),))
    if row is None:
        name = ref.replace('.', ':')
        namespace, short = name.rpartition(':')[::2]
        # NOCASE uses the unique (namespace, name) index but folds ASCII only: scan for other names.
        rows = (store.all('SELECT * FROM connections WHERE name = ? COLLATE NOCASE ORDER BY created_on, id', (short,))
                if short.isascii() else store.all('SELECT * FROM connections ORDER BY created_on, id'))
        candidates = [c for c in rows if c['name'].casefold() == short.casefold() and can_view(store, user, c)]
        if namespace:
            candidates = [c for c in candidates if c['namespace'].casefold() == (namespace + ':').casefold()]
        else:
            # A bare name: the caller's own namespace first, then the only visible match.
            own = [c for c in candidates if c['namespace'] == namespace_of(user)]
            candidates = own or (candidates if len(candidates) == 1 else [])
        row = candidates[0] if candidates else None
    if row is None or not can_view(store, user, row):
        return None
    return row


def credentials_for(store, user, entity_id: str):
    rows = store.all('SELECT * FROM credentials WHERE entity_id = ? ORDER BY created_on, id', (entity_id,))
    return pick_credentials(user, rows)


def credentials_json(store, row, clear: bool, data_source: str = None, lookups=None) -> dict:
    params = row['parameters']
    if data_source is None:
        conn = store.one('SELECT data_source FROM connections WHERE id = ?', (row['entity_id'],))
        data_source = conn['data_source'] if conn else None
    group = lookups.group(row['group_id']) if lookups else store.one('SELECT * FROM groups WHERE id = ?', (row['group_id'],))
    return {'#type': 'Credentials', 'id': row['id'], 'parameters': params if clear else masking.mask(params, data_source),
            'openParameters': masking.open_parameters(params, data_source), 'entityBindId': row['entity_id'],
            'group': group_json(store, group, relations=()) if group else None}


def connection_json(store, user, conn, lookups=None) -> dict:
    """``lookups`` (shared by the rows of one list) holds the authors, groups and credentials; else they are read here."""
    lookups = lookups or Lookups(store, user)
    author = lookups.users().get(conn['author_id'])
    creds = lookups.credentials_for(conn['id'])
    if creds is None:
        creds_data = {'#type': 'Credentials', 'id': None, 'parameters': {}, 'openParameters': {}, 'entityBindId': conn['id']}
    else:
        creds_data = credentials_json(store, creds, clear=False, data_source=conn['data_source'], lookups=lookups)
    return {
        '#type': 'DataConnection', 'id': conn['id'], 'name': conn['name'], 'friendlyName': conn['friendly_name'],
        'namespace': conn['namespace'], 'nqName': conn['namespace'] + conn['name'], 'dataSource': conn['data_source'],
        'description': conn['description'], 'parameters': masking.mask(conn['parameters'], conn['data_source']), 'credentials': creds_data,
        'tags': conn['tags'], 'entityTags': [{'#type': 'EntityTag', 'tag': tag, 'entityId': conn['id']} for tag in conn['tags']],
        'author': user_small(author) if author else None, 'createdOn': conn['created_on'], 'updatedOn': conn['updated_on'],
    }


# ---- projects (they link entities, and their grants reach what they link) ------------------------------------------

def find_project(store, ref: str):
    row = store.one('SELECT * FROM projects WHERE id = ?', (ref.lower(),))
    if row is None:
        matches = [p for p in store.all('SELECT * FROM projects ORDER BY created_on, id') if p['name'].casefold() == ref.casefold()]
        row = matches[0] if matches else None
    return row


def project_json(store, row) -> dict:
    links = store.all('SELECT entity_id FROM project_links WHERE project_id = ? ORDER BY entity_id', (row['id'],))
    return {'#type': 'Project', 'id': row['id'], 'name': row['name'], 'friendlyName': row['friendly_name'], 'namespace': '',
            'nqName': row['name'], 'relations': [{'isLink': True, 'entity': {'id': link['entity_id']}} for link in links]}


def shareable(store, user, ref: str):
    """The connection or project ``ref`` names, as {'id', 'editable'}, when the caller can see it."""
    conn = find_connection(store, user, ref)
    if conn is not None:
        return {'id': conn['id'], 'editable': can_edit(store, user, conn)}
    project = find_project(store, ref)
    if project is None:
        return None
    grants = granted(store, user, project['id'])
    if not (user['is_admin'] or project['author_id'] == user['id'] or grants):
        return None
    return {'id': project['id'], 'editable': user['is_admin'] or project['author_id'] == user['id'] or 'Edit' in grants}
