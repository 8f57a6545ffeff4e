#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) datagrok.platform contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: datagrok_connection
short_description: Create, update and delete Datagrok data connections
version_added: 0.1.0
description:
  - Manages data connections (Postgres, Snowflake, MS SQL, S3, ...) on a Datagrok server through its REST API.
  - Idempotent. The connection is looked up first (by name, ignoring case, as the server does) and only what differs
    from the options given is written. Fields the server manages and parameters you do not mention are left alone.
  - Manages one connection (O(name)) or many in one call (O(connections)), which is much faster than a loop.
  - Secrets (O(credentials) and password-class keys in O(parameters)) are write-only. They never appear in the
    result, the diff, warnings or errors, and an update that does not touch them never wipes them.
author:
  - Datagrok platform maintainers (@datagrok-ansible)
extends_documentation_fragment:
  - datagrok.platform.datagrok
  - datagrok.platform.datagrok.actiongroup
  - datagrok.platform.datagrok.attributes
attributes:
  check_mode:
    support: full
    details:
      - Check mode sends no write request and reports the same RV(ignore:changed) and diff as a real run.
      - A write that the server will refuse for lack of permission (HTTP 403) fails in check mode as it would in the
        real run, naming the operation and the connection. Check mode reads the caller, their groups and the
        connection's grants to know; it refuses only when the caller is not the author, not an administrator, and
        holds at most View through any group.
      - Where that cannot be read (a server without the internal C(/privileges/permissions) route, or a C(System:)
        connection, which global permissions govern), the write is predicted as a change, and only the real run
        finds the refusal.
      - O(save_plan) writes what check mode predicts to a file, for review; O(apply_plan) then applies exactly that.
  diff_mode:
    support: full
    details:
      - "Secrets show as V(<secret>), or V(<secret: will be written>) when they are sent."
options:
  name:
    description:
      - Name of the connection, either V(Name) (in the namespace of the O(api_key)'s user) or V(Namespace:Name).
      - Datagrok creates connections in the namespace of the O(api_key)'s user only. A V(Namespace:Name) in another
        namespace can be updated or deleted (with the permission to), but not created.
      - Matched against the server ignoring case. A name that differs only in case is the same connection and
        is not renamed.
      - A name cannot contain V(.), V(/) or V(\\), because the Datagrok API addresses names with V(.) in place of V(:).
      - Exactly one of O(name) and O(connections) is required.
    type: str
  previous_names:
    description:
      - Names the connection had before, to rename it without losing its identity. Datagrok's queries and
        dashboards refer to a connection by its id, which a delete and a create would change.
      - When O(name) does not exist and exactly one of these does, that connection is renamed in place (same id,
        credentials and shares), then the rest of the options are converged. A friendly name that was the old
        name follows the rename.
      - When O(name) exists and one of these does too, the task fails naming both; when neither exists, the
        connection is created. Once renamed, a second run finds O(name) and changes nothing.
      - The diff shows the rename (C(name) before and after) and RV(renamed_from) names the old name.
        With O(purge), a connection an item renames is never deleted as unlisted.
      - A rename keeps the namespace.
    type: list
    elements: str
  force:
    description:
      - Delete the connection (O(state=absent), or O(purge)) even when data queries still use it.
      - Queries refer to their connection by id, so deleting it breaks them. Without O(force=true), a delete
        or a purge of a connection that queries use fails before any write, naming how many queries use it
        and a few of them. The queries are those the O(api_key)'s user can see, listed once per run with
        C(GET /public/v1/functions) as the vendor's client does. A server that lists no queries deletes as asked.
      - With O(connections), the default for the items and for what O(purge) deletes.
    type: bool
    default: false
  id:
    description:
      - The id (a UUID) to create the connection under. Queries and dashboards refer to a connection by its id,
        and the vendor CLI's C(grok s migrate) and C(push) keep ids the same across instances, so the same id on
        every instance lets them meet this collection's connections without a conflict.
      - M(datagrok.platform.datagrok_connection_info) with O(datagrok.platform.datagrok_connection_info#module:export=true)
        exports each connection's id, so applying an export to another instance creates the connections under
        the same ids.
      - When the connection exists under another id, the task fails naming both, unless
        O(id_mismatch=adopt). A create under an id that another connection holds fails naming that connection,
        before any write.
      - Without it, a new connection gets a new random id.
    type: str
  id_mismatch:
    description:
      - What happens when the connection exists under another id than O(id).
      - V(fail) fails for that connection, naming both ids.
      - V(adopt) keeps the existing connection and its id, with a warning, and converges the rest.
      - With O(connections), the default for the items.
    type: str
    choices: [fail, adopt]
    default: fail
  state:
    description:
      - V(present) creates or updates the connection, V(absent) deletes it.
      - With O(connections), the default for items that do not set O(connections[].state).
    type: str
    choices: [present, absent]
    default: present
  data_source:
    description:
      - The Datagrok data source, for example V(Postgres), V(MS SQL), V(Snowflake), V(S3). Required to create.
      - Checked against the data sources this collection knows, case and spaces included; a near miss such as
        V(postgres) fails with a suggestion.
    type: str
  allow_unknown_data_source:
    description:
      - Accept a value of O(data_source) that this collection does not know, for connectors newer than the collection.
      - With O(connections), the default for the items.
    type: bool
    default: false
  allow_unknown_parameters:
    description:
      - Accept keys in O(parameters) and O(credentials) that the collection's catalogue does not list for
        the O(data_source), for connectors newer than the collection. They are sent as given.
      - Without it, such a key fails the task before any request, with a suggestion (C(host) -> C(server)).
      - A connection parameter given in O(credentials) fails in either case.
      - With O(connections), the default for the items.
    type: bool
    default: false
  description:
    description:
      - Description of the connection. Not changed when not set.
    type: str
  friendly_name:
    description:
      - Display name of the connection. Not changed when not set (the server defaults it to the name).
    type: str
  parameters:
    description:
      - Connection parameters, for example C(server), C(port), C(db), C(ssl), C(bucket), C(region).
      - For the data sources in the collection's catalogue (Postgres, MS SQL, Snowflake, S3, ..., listed with
        their keys in C(docs/data-sources.md) of the collection), every key is checked before any request.
        An unknown key (a typo such as C(host) for C(server)) fails with a suggestion, unless
        O(allow_unknown_parameters=true). A value of the wrong type (C(port=abc)) fails too.
      - When O(data_source) is not given (an update), the keys are checked against the data source of the
        connection as read, before any write.
      - Keys are sent in the catalogue's spelling (C(Server) becomes C(server)) and values in its types
        (V("5432") becomes V(5432) for C(port), V("true") becomes V(true) for C(ssl)).
      - A new connection needs the parameters its data source cannot work without, for example C(server) or
        C(connString) for Postgres, C(bucket) for S3. Missing ones fail the task before any write.
      - Compared after normalisation, key by key. V("5432") equals V(5432), V("true") equals V(true), and keys
        match ignoring case, as Datagrok's connectors read them.
      - Password-class keys (for example C(password), C(secretKey), C(PWD), C(passPhrase), C(privateKey), tokens)
        are secrets, treated like O(credentials) and following O(update_credentials). The catalogue says which
        keys of a data source are secret; for other keys, a name containing C(password), C(secret) or C(token)
        is a secret.
    type: dict
  parameters_mode:
    description:
      - V(merge) only sets the keys given; other parameters on the server are kept.
      - V(replace) also removes the parameters that are not given. Server defaults (keys the server fills with an
        empty value such as V(false) or an empty string) and secrets are kept.
      - With O(connections), the default for the items.
    type: str
    choices: [merge, replace]
    default: merge
  credentials:
    description:
      - Credentials of the connection, for example C(login) and C(password), or C(accessKey) and C(secretKey).
      - Checked like O(parameters). A key the data source does not use fails before any request, unless
        O(allow_unknown_parameters=true).
      - Write-only. When they are written depends on O(update_credentials).
      - Keys that are not given keep their stored values.
      - Only its secret keys (those the catalogue marks secret for the data source, such as C(password)) are hidden
        from the output, wherever their values stand as a whole word. The login stays readable, as Datagrok
        shows it in C(openParameters).
    type: dict
  update_credentials:
    description:
      - When O(credentials) and secret O(parameters) are sent for an existing connection. A new connection always
        gets them.
      - V(when_changed) reads the stored credentials (C(GET /public/v1/credentials/for/{id})). If the server returns
        the real values, they are compared and written only when they differ. If it returns placeholders, the
        secret cannot be compared and is not rewritten; the result then says RV(credentials_verified=false) and
        lists the keys in RV(credentials_unverified). To rotate a secret on such a server, run once with V(always).
      - Secret keys inside O(parameters) are masked by Datagrok on every read and are not returned by the
        credentials route, so under V(when_changed) they can never be compared and are reported in
        RV(credentials_unverified). Prefer O(credentials) for secrets.
      - V(always) sends them on every run. B(The task then reports changed on every run.)
      - V(on_create) sends them only when the connection is created.
      - With O(connections), the default for the items.
    type: str
    choices: [when_changed, always, on_create]
    default: when_changed
  tags:
    description:
      - Tags of the connection, compared as a set (order and duplicates do not matter).
      - The connection ends up with exactly these tags. Not changed when not set.
    type: list
    elements: str
  shares:
    description:
      - Groups (or users) the connection is shared with.
      - A new connection is visible to its author only until these shares are applied, in the same run, so it is
        never shared wider than asked.
    type: list
    elements: dict
    suboptions:
      group:
        description:
          - Name of a group, or the login or name of a user (whose personal group is used). Must match exactly,
            ignoring case.
        type: str
        required: true
      access:
        description:
          - V(View) (view and use) or V(Edit) (full control), in any case (V(view) is V(View)).
        type: str
        default: View
  shares_mode:
    description:
      - V(add) only grants what is missing, and never revokes or lowers access.
      - V(exact) also revokes grants to groups that are not listed, and lowers V(Edit) to V(View) where asked.
        This reads and revokes grants through Datagrok's internal C(/privileges/permissions) routes, as the vendor
        CLI does. Grants inherited from a containing entity are never revoked.
      - With O(connections), the default for the items.
    type: str
    choices: [add, exact]
    default: add
  group_credentials:
    description:
      - Credential sets bound to groups. Datagrok hands each user the set of one of their groups, so analysts can
        connect with a read-only login and an ETL group with a writer login, on the same connection. The set of
        O(credentials) belongs to C(All users), the fallback for everyone else.
      - Each entry is the group's whole set, written through C(POST /public/v1/credentials). Keys left out are
        removed when the set is written. Keys are checked like those of O(credentials), and its secret keys are
        hidden the same way.
      - Datagrok shows a caller only the set of one of their own groups, and lists no others. So a group's stored set
        is compared only when the api_key's user reads that group's set (a member of the group, whose other groups
        hold no set before it). Otherwise, under V(when_changed), it is not rewritten, and the result names the group
        in RV(credentials_unverified_groups) with RV(credentials_verified=false). To add a set to an existing
        connection, or to rotate one, run that entry once with O(group_credentials[].update_credentials=always).
      - When the api_key's user reads a group's set, they no longer read the connection's own one, so
        O(credentials) cannot be compared then, and is reported in RV(credentials_unverified).
      - A user who is not an administrator may set a group's credentials only as an administrator of that group.
        Otherwise the server refuses with HTTP 403, and check mode fails the same way, foreseen from the groups
        the user administers.
    type: list
    elements: dict
    suboptions:
      group:
        description:
          - Name of the group (or the login or name of a user, for their personal group). Must match exactly,
            ignoring case. Not V(All users), whose set is O(credentials).
        type: str
        required: true
      credentials:
        description: The group's credentials, for example C(login) and C(password).
        type: dict
        required: true
      update_credentials:
        description: As O(update_credentials), for this set. Defaults to O(update_credentials).
        type: str
        choices: [when_changed, always, on_create]
  group_credentials_mode:
    description:
      - V(add) writes the sets listed and leaves the other groups' sets alone.
      - V(exact) would also remove the sets of groups not listed. Datagrok's API lists no connection's sets (each
        caller sees only one of their own), so V(exact) is refused before any request, naming the option.
      - With O(connections), the default for the items.
    type: str
    choices: [add, exact]
    default: add
  connections:
    description:
      - Many connections in one call, the bulk form. Mutually exclusive with O(name).
      - The server's connections are listed once (paged), each item is compared, and only the writes needed are
        sent, through a pool of O(max_workers) threads.
      - Every item is checked before any request; invalid input fails the task without writing anything.
      - A failing item does not stop the others; the task fails at the end and names each failed item.
      - With this form, O(state), O(allow_unknown_data_source), O(allow_unknown_parameters), O(parameters_mode),
        O(update_credentials), O(shares_mode), O(group_credentials_mode), O(id_mismatch) and O(force) are defaults
        for the items, and the other per-connection options
        must be set on the items.
    type: list
    elements: dict
    suboptions:
      name:
        description: See O(name).
        type: str
        required: true
      previous_names:
        description: See O(previous_names).
        type: list
        elements: str
      force:
        description: See O(force). Defaults to O(force).
        type: bool
      id:
        description: See O(id).
        type: str
      id_mismatch:
        description: See O(id_mismatch). Defaults to O(id_mismatch).
        type: str
        choices: [fail, adopt]
      state:
        description: See O(state). Defaults to O(state).
        type: str
        choices: [present, absent]
      data_source:
        description: See O(data_source).
        type: str
      allow_unknown_data_source:
        description: See O(allow_unknown_data_source). Defaults to O(allow_unknown_data_source).
        type: bool
      allow_unknown_parameters:
        description: See O(allow_unknown_parameters). Defaults to O(allow_unknown_parameters).
        type: bool
      description:
        description: See O(description).
        type: str
      friendly_name:
        description: See O(friendly_name).
        type: str
      parameters:
        description: See O(parameters).
        type: dict
      parameters_mode:
        description: See O(parameters_mode). Defaults to O(parameters_mode).
        type: str
        choices: [merge, replace]
      credentials:
        description: See O(credentials).
        type: dict
      update_credentials:
        description: See O(update_credentials). Defaults to O(update_credentials).
        type: str
        choices: [when_changed, always, on_create]
      tags:
        description: See O(tags).
        type: list
        elements: str
      shares:
        description: See O(shares).
        type: list
        elements: dict
        suboptions:
          group:
            description: See O(shares[].group).
            type: str
            required: true
          access:
            description: See O(shares[].access).
            type: str
            default: View
      shares_mode:
        description: See O(shares_mode). Defaults to O(shares_mode).
        type: str
        choices: [add, exact]
      group_credentials:
        description: See O(group_credentials).
        type: list
        elements: dict
        suboptions:
          group:
            description: See O(group_credentials[].group).
            type: str
            required: true
          credentials:
            description: See O(group_credentials[].credentials).
            type: dict
            required: true
          update_credentials:
            description: See O(group_credentials[].update_credentials).
            type: str
            choices: [when_changed, always, on_create]
      group_credentials_mode:
        description: See O(group_credentials_mode). Defaults to O(group_credentials_mode).
        type: str
        choices: [add, exact]
  purge:
    description:
      - With O(connections), delete the connections inside O(scope) that are not listed.
      - Refused without a O(scope).
    type: bool
    default: false
  scope:
    description:
      - The connections O(purge) may delete. At least one of O(scope.namespace) and O(scope.tag) is required;
        with both, a connection must match both.
    type: dict
    suboptions:
      namespace:
        description:
          - Only connections in this namespace, for example V(Admin:) or V(Admin).
        type: str
      tag:
        description:
          - Only connections with this tag. Every present item of O(connections) gets this tag, so it stays
            in scope.
        type: str
  max_workers:
    description:
      - How many requests O(connections) sends at the same time.
    type: int
    default: 8
  save_plan:
    description:
      - Write the plan of this check run to this path, as JSON, to be reviewed, approved and then applied with
        O(apply_plan). Only in check mode.
      - "For each connection the plan holds its grok name, the action (V(create), V(update), V(delete), V(share),
        V(credentials) or V(none)), the fields that will change with before and after (secrets masked as in the diff),
        the server's version of the connection (its C(updatedOn), and a digest of the connection as read, with its
        credentials and shares when the run read them), and a digest of the item's input."
      - "The plan never holds a secret. A secret to be written shows as V(<secret: will be written>) with a keyed digest
        (see O(plan_key)), which tells equal values from different ones, and nothing else to whoever has the file but
        not the key."
      - The file is written on the host the module runs on (the controller, with C(delegate_to=localhost)), and only
        when no connection failed. RV(plan) returns it too.
      - Mutually exclusive with O(apply_plan).
    type: path
  apply_plan:
    description:
      - Apply the plan that O(save_plan) wrote, and nothing else. Each connection is planned again, and carried out
        only when its input, the server's version of it and its new plan all equal those of the saved plan.
      - A connection whose input differs from the plan's is refused as stale (C(input changed since the plan)), and so
        is one whose server version moved (C(changed on the server since the plan)). One that the plan leaves unchanged
        but that now needs a change is refused as not planned. A deletion by O(purge) must have been planned, and so
        must a rename (O(previous_names)). Nothing is written for a refused connection.
      - The others are applied as planned (see O(apply_plan_mode)), and the task then fails naming each refused
        connection (RV(results[].refused)). A second apply of the same plan refuses what the first one changed, as
        the server's versions moved.
      - In check mode, predicts what the apply would do, refusals included, and writes nothing.
      - A plan saved with O(name) is applied with O(name), one saved with O(connections) with O(connections), against
        the same O(url) and with the same O(plan_key).
    type: path
  apply_plan_mode:
    description:
      - V(per_item) carries out every connection that is not refused.
      - V(all_or_nothing) carries out none of them when any is refused.
    type: str
    choices: [per_item, all_or_nothing]
    default: per_item
  plan_key:
    description:
      - The key of the digests in a saved plan (HMAC-SHA256, with the key stretched by PBKDF2 and a random salt of the
        plan's own).
      - Defaults to the O(api_key). Whoever reads the plan but lacks the key can neither learn a secret from it nor test
        guesses against it, and whoever has the API key can read the connections anyway.
      - Set it (or E(DATAGROK_PLAN_KEY)) when the plan and the apply run with different API keys. Both must use the
        same O(plan_key). Use a long random value.
    type: str
notes:
  - Datagrok silently renames a new connection whose name is taken (V(Name_1)). This module always looks the name up
    first and reuses the existing id, so it never creates such a twin. If the server still renames a create (someone
    created the same name at the same moment, for example another converge running at the same time), the module
    deletes its copy, reads the connection that won the name and converges the item against it as an update, with a
    warning. It fails, naming the connection, only when that connection cannot be read back or a second conflict
    follows.
  - Only the options given are compared. Server-managed fields (C(id), C(createdOn), C(updatedOn), C(author),
    C(namespace), C(entityTags), ...) are ignored.
  - A saved plan (O(save_plan), O(apply_plan)) sees what the run reads. A group's credential set that the api_key's user
    cannot read (O(group_credentials)) is no part of the server's version, so applying a plan that writes such a set
    twice writes the same set twice.
seealso:
  - module: datagrok.platform.datagrok_connection_info
    description: Read connections, and export them in the input shape of this module.
  - module: datagrok.platform.datagrok_connection_test
    description: Test that saved or unsaved connections really connect.
'''

EXAMPLES = r'''
- name: Set the server and key once for every module of the collection
  module_defaults:
    group/datagrok.platform.datagrok:
      url: https://datagrok.example.com/api
      api_key: "{{ vault_datagrok_api_key }}"
  block:
    - name: A Postgres connection, shared read-only with a group
      datagrok.platform.datagrok_connection:
        name: Northwind
        data_source: Postgres
        description: Sales demo database
        parameters:
          server: db.example.com
          port: 5432
          db: northwind
          ssl: true
        credentials:
          login: reader
          password: "{{ vault_northwind_password }}"
        tags: [demo, sales]
        shares:
          - group: Analysts
            access: View

    - name: Rotate the password (also on servers that never show stored secrets)
      datagrok.platform.datagrok_connection:
        name: Northwind
        credentials:
          password: "{{ vault_northwind_new_password }}"
        update_credentials: always

    - name: A read-only login for the analysts and a writer login for the ETL group, besides the default set
      datagrok.platform.datagrok_connection:
        name: Northwind
        data_source: Postgres
        parameters: {server: db.example.com, db: northwind}
        credentials: {login: reader, password: "{{ vault_northwind_reader_password }}"}
        group_credentials:
          - group: Analysts
            credentials: {login: analyst_ro, password: "{{ vault_northwind_analyst_password }}"}
          - group: ETL
            credentials: {login: etl_writer, password: "{{ vault_northwind_etl_password }}"}
        shares: [{group: Analysts}, {group: ETL}]

    - name: Rotate the ETL group's password (a set the api_key's user may not be able to read back)
      datagrok.platform.datagrok_connection:
        name: Northwind
        group_credentials:
          - group: ETL
            credentials: {login: etl_writer, password: "{{ vault_northwind_etl_new_password }}"}
            update_credentials: always

    - name: Rename a connection in place, keeping its id (and the queries that use it)
      datagrok.platform.datagrok_connection:
        name: Northwind
        previous_names: [NorthwindOld]

    - name: Remove every parameter that is not listed, and every share that is not listed
      datagrok.platform.datagrok_connection:
        name: Admin:Northwind
        parameters:
          server: db.example.com
          db: northwind
        parameters_mode: replace
        shares: [{group: Analysts, access: Edit}]
        shares_mode: exact

    - name: Many connections in one call, deleting managed ones that are no longer listed
      datagrok.platform.datagrok_connection:
        connections: "{{ datagrok_connections }}"
        purge: true
        scope:
          tag: managed-by-ansible
      no_log: true  # the list carries credentials

    - name: Delete a connection
      datagrok.platform.datagrok_connection:
        name: Northwind
        state: absent

    - name: Plan in check mode, for review (the plan holds no secret)
      datagrok.platform.datagrok_connection:
        connections: "{{ datagrok_connections }}"
        save_plan: plans/production.json
      check_mode: true

    - name: Once the plan is approved, apply exactly that plan
      datagrok.platform.datagrok_connection:
        connections: "{{ datagrok_connections }}"
        apply_plan: plans/production.json
'''

RETURN = r'''
connection:
  description:
    - The connection as the server holds it after the run, with every secret replaced by V(********).
    - In check mode, the connection as the run would leave it. Empty after a delete.
  returned: with O(name)
  type: dict
  sample:
    '#type': DataConnection
    id: 0d3f1c2e-6f1a-41ef-9a0b-0242ac120002
    name: Northwind
    namespace: 'Admin:'
    friendlyName: Northwind
    dataSource: Postgres
    description: Sales demo database
    parameters: {server: db.example.com, port: 5432, db: northwind, ssl: true}
    credentials: {parameters: {login: '********', password: '********'}, openParameters: {login: reader}}
    tags: [demo, sales]
    createdOn: '2026-01-01T12:00:00.000Z'
    updatedOn: '2026-01-02T08:30:00.000Z'
credentials_verified:
  description:
    - V(true) when O(update_credentials=when_changed) compared every secret given with the stored value (and writes
      those that differ).
    - V(false) when the server only returned placeholders, so a secret could not be compared. It is then not rewritten,
      unless another credential changed (a login). The credentials are then sent whole, and the diff shows it as written.
    - V(null) when no secret was given, the connection is new, or O(update_credentials) is not V(when_changed).
  returned: with O(name)
  type: bool
  sample: true
credentials_unverified:
  description:
    - Keys of O(credentials) whose stored value could not be compared (written or not, see RV(credentials_verified)).
    - Secret keys, where the server masks them; every key, C(login) too, where the api_key's user reads a group's set
      instead of the connection's own one (O(group_credentials)).
  returned: with O(name)
  type: list
  elements: str
  sample: [password]
renamed_from:
  description: The grok name the connection was renamed from (O(previous_names)). Only when it was (or, in check mode, would be).
  returned: when renamed
  type: str
  sample: 'Admin:Northwind_old'
credentials_unverified_groups:
  description:
    - Groups of O(group_credentials) whose stored set could not be compared, because the api_key's user does not
      read it (or reads only placeholders). Their sets were not rewritten (see O(group_credentials)).
  returned: with O(name)
  type: list
  elements: str
  sample: [Analysts]
diff:
  description:
    - Before and after of the managed fields (name, data source, parameters, and the other options given), secrets
      masked. C(before) is empty on create and C(after) is empty on delete.
    - With O(connections), a list with one entry per changed connection in diff mode (C(--diff)), and an empty
      list outside it, because 1000 diffs are a large result, which Ansible scrubs string by string for secrets.
      Outside diff mode, RV(results[].action) and RV(results[].changed) say what changed.
  returned: always
  type: raw
  sample:
    before: {name: 'Admin:Northwind', data_source: Postgres, parameters: {server: db.example.com, port: 5432}}
    after: {name: 'Admin:Northwind', data_source: Postgres, parameters: {server: db.example.com, port: 5433}}
results:
  description:
    - One entry per item of O(connections), in order, then one per connection deleted by O(purge).
    - The entries carry no connection object and no diff (see RV(diff)), which keeps large results fast; read
      connections with M(datagrok.platform.datagrok_connection_info).
  returned: with O(connections)
  type: list
  elements: dict
  contains:
    name:
      description: Full name (V(Namespace:Name)) of the connection.
      type: str
    state:
      description: The state asked for.
      type: str
    changed:
      description: Whether this connection changed (or would, in check mode).
      type: bool
    action:
      description: V(create), V(update), V(delete), V(share) (only shares changed), V(credentials) (only sets of
        O(group_credentials) written) or V(null).
      type: str
    credentials_verified:
      description: As RV(credentials_verified).
      type: bool
    credentials_unverified:
      description: As RV(credentials_unverified).
      type: list
    credentials_unverified_groups:
      description: As RV(credentials_unverified_groups).
      type: list
    renamed_from:
      description: As RV(renamed_from). Only on renamed connections.
      type: str
    purged:
      description: Whether O(purge) deleted this connection.
      type: bool
    error:
      description: Why this connection failed. Only on failed items.
      type: str
    refused:
      description:
        - V(true) when O(apply_plan) refused it (see RV(results[].error) for why). Only on refused items.
        - A planned change that no item of O(connections) makes any more is refused too, as an entry of its own.
      type: bool
  sample:
    - name: 'Admin:Northwind'
      state: present
      changed: true
      action: create
      purged: false
      credentials_verified: null
      credentials_unverified: []
      credentials_unverified_groups: []
check_mode:
  description:
    - Whether this was a check run, which wrote nothing. Also under a task's or a play's C(check_mode), which
      C(ansible_check_mode) does not show. The role reads it.
  returned: with O(connections)
  type: bool
  sample: false
summary:
  description:
    - How many connections of O(connections) were created, updated, deleted, unchanged and failed, and, with
      O(apply_plan), how many it refused (C(refused)).
  returned: with O(connections)
  type: dict
  sample: {created: 2, updated: 1, deleted: 1, unchanged: 196, failed: 0}
names:
  description:
    - The grok names of the connections of O(connections) that were created, updated (shares included), deleted,
      failed, and refused (C(refused), with O(apply_plan) only), and of those whose secrets could not be compared (RV(results[].credentials_unverified) and
      RV(results[].credentials_unverified_groups)).
    - What a report needs, without walking RV(results) in a template (which costs seconds at 10,000 connections).
  returned: with O(connections)
  type: dict
  sample: {created: ['Admin:Sales'], updated: [], deleted: ['Admin:Old'], failed: [], unverified: ['Admin:Masked']}
plan:
  description:
    - The plan as O(save_plan) wrote it. C(connections) holds one entry per connection, by name.
  returned: when O(save_plan) wrote a plan
  type: dict
  sample:
    format: datagrok.platform/plan
    format_version: 1
    server: https://datagrok.example.com
    form: bulk
    created: '2026-12-06T10:00:00Z'
    summary: {none: 196, update: 3, create: 1}
    connections:
      - name: 'Admin:Northwind'
        action: update
        changes:
          parameters.port: {before: 5432, after: 5433}
          credentials.password: {before: <secret>, after: '<secret: will be written>', digest: 'hmac-sha256:5f0c...'}
        server_version: {id: 0d3f1c2e-6f1a-41ef-9a0b-0242ac120002, updatedOn: '2026-12-01T08:30:00.000Z', digest: 'hmac-sha256:91aa...'}
        input_digest: 'hmac-sha256:0b7e...'
'''

from ansible_collections.datagrok.platform.plugins.module_utils._converge.input import connection_argument_spec, connection_items
from ansible_collections.datagrok.platform.plugins.module_utils._converge.report import bulk_results, single_result
from ansible_collections.datagrok.platform.plugins.module_utils._converge.run import Run
from ansible_collections.datagrok.platform.plugins.module_utils._converge.saved_plan import from_options
from ansible_collections.datagrok.platform.plugins.module_utils._errors import ItemError, PlanFileError
from ansible_collections.datagrok.platform.plugins.module_utils._module import DatagrokModule


def main():
    module = DatagrokModule(
        argument_spec=connection_argument_spec(),
        required_one_of=[('name', 'connections')],
        mutually_exclusive=[('name', 'connections'), ('save_plan', 'apply_plan')],
        supports_check_mode=True,
    )
    p = module.params
    single = p['name'] is not None
    saved_plan = None
    if p['save_plan'] or p['apply_plan']:
        try:
            saved_plan = from_options(p, module.check_mode, 'single' if single else 'bulk')
        except PlanFileError as exc:
            module.fail('Invalid option %s' % exc)
    try:
        run = Run(module, p['max_workers'], saved_plan, bulk=not single)
        outcomes = run.converge(connection_items(p), purge=p['purge'], scope=p['scope'], force=p['force'])
        plan = {'plan': saved_plan.written} if saved_plan is not None and saved_plan.written else {}
        if single:
            module.exit_json(**dict(single_result(outcomes), **plan))
    except ItemError as exc:
        module.fail(str(exc))
    output, failure = bulk_results(outcomes, with_diff=module._diff, applying_plan=bool(p['apply_plan']))
    # Ansible scrubs every returned string against every no_log value (two per item with credentials): echoing the
    # whole list back as module_args would make that grow as N squared.
    output.update(invocation={'module_args': dict(p, connections='%d items' % len(p['connections']))}, check_mode=module.check_mode, **plan)
    if failure:
        module.fail(failure, **output)
    module.exit_json(**output)


if __name__ == '__main__':
    main()
