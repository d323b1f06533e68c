# A stdout callback printing the whole playbook run as one JSON document, in the shape of ansible.posix's
# `json` callback ({"plays": [{"play", "tasks": [{"task", "hosts": {HOST: result}}]}], "stats": {HOST: ...}}).
# ansible-core (Debian's ansible-core package, what .ci/run installs) ships no JSON callback: the one in
# ansible.posix is not there. test/ansible/playbook.test.ts points ANSIBLE_CALLBACK_PLUGINS here.
from __future__ import absolute_import, division, print_function
__metaclass__ = type

import json
from functools import partial

from ansible.parsing.ajson import AnsibleJSONEncoder
from ansible.plugins.callback import CallbackBase


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'stdout'
    CALLBACK_NAME = 'json'

    def __init__(self, display=None):
        super(CallbackModule, self).__init__(display)
        self.results = []

    def v2_playbook_on_play_start(self, play):
        self.results.append({'play': {'name': play.get_name(), 'id': str(play._uuid)}, 'tasks': []})

    def v2_playbook_on_task_start(self, task, is_conditional):
        self.results[-1]['tasks'].append({'task': {'name': task.get_name(), 'id': str(task._uuid)}, 'hosts': {}})

    def v2_playbook_on_handler_task_start(self, task):
        self.v2_playbook_on_task_start(task, False)

    def _record(self, on_info, result, **kwargs):
        r = result._result.copy()
        r.update(on_info)
        r['action'] = result._task.action
        self.results[-1]['tasks'][-1]['hosts'][result._host.get_name()] = r

    def __getattribute__(self, name):
        if name not in ('v2_runner_on_ok', 'v2_runner_on_failed', 'v2_runner_on_unreachable', 'v2_runner_on_skipped'):
            return object.__getattribute__(self, name)
        on = name.rsplit('_', 1)[1]
        return partial(self._record, {on: True} if on in ('failed', 'skipped', 'unreachable') else {})

    def v2_playbook_on_stats(self, stats):
        hosts = sorted(stats.processed.keys())
        out = {'plays': self.results, 'stats': dict((h, stats.summarize(h)) for h in hosts)}
        self._display.display(json.dumps(out, cls=AnsibleJSONEncoder, indent=4, sort_keys=True))
