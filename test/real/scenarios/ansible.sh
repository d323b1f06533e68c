# shellcheck shell=bash
# The Ansible collection on real LVM (issue 12): ansible-galaxy installs it from the checkout, then a
# playbook (connection: local) snapshots a SET over two VGs (vg0/root on /dev/vda, vg1/home on a VG of
# its own) with the lvmsnap module: --check --diff shows the plan and changes nothing, the first run
# changes, the second reports changed=0; the CLI's absent of the same set returns the system to its start. The guest sees the
# host's root filesystem, so it has the host's ansible-core (scripts/ensure-ansible.sh installs it).

ANS_VG1_IMG=/run/vg1.img

ans_teardown_vg1() {
	umount -l /mnt/home 2>/dev/null || true
	vgchange -an vg1 >/dev/null 2>&1 || true
	losetup -j "$ANS_VG1_IMG" -O NAME -n 2>/dev/null | xargs -r -n1 losetup -d 2>/dev/null || true
	rm -rf /dev/vg1 "$ANS_VG1_IMG" /mnt/home
}

# ansible_play PLAYBOOK [ARGS...] -> output in /tmp/ansible.out; returns ansible-playbook's status.
ansible_play() {
	env "${ans_env[@]}" ANSIBLE_LOCAL_TEMP=/tmp/ansible-local ANSIBLE_REMOTE_TMP=/tmp/ansible-remote ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3 ANSIBLE_LOCALHOST_WARNING=0 \
		ANSIBLE_INVENTORY_UNPARSED_WARNING=0 ansible-playbook -i localhost, "$@" >/tmp/ansible.out 2>&1
}

ans_state() { # -> stdout: what the playbook may change (LVs, mounts, journals)
	lvs --noheadings -o vg_name,lv_name,lv_attr,lv_tags 2>/dev/null | sort
	findmnt -rn -o TARGET,SOURCE,OPTIONS | grep -E '^/media/' | sort || true
	find "$STATE_DIR" -type f 2>/dev/null | sort || true
}

# Ansible needs a home and a UTF-8 locale; the guest's environment has neither for sure. The rest only
# skips work that costs seconds per process under TCG and proves nothing here: the default transport
# "smart" runs `ssh -o ControlPersist` at every start (the play says connection: local anyway), the
# inventory plugins other than host_list (-i localhost,) are imported for nothing, and Python's whole
# sys.path would be scanned for collections besides ANSIBLE_COLLECTIONS_PATH.
ans_env=(HOME=/tmp/ansible-home LC_ALL=C.UTF-8 ANSIBLE_NOCOLOR=1 ANSIBLE_COLLECTIONS_PATH=/tmp/ansible-collections
	ANSIBLE_TRANSPORT=local ANSIBLE_INVENTORY_ENABLED=host_list ANSIBLE_COLLECTIONS_SCAN_SYS_PATH=False
	ANSIBLE_RETRY_FILES_ENABLED=False)

scen_ansible() {
	command -v ansible-playbook >/dev/null ||
		fail "REAL-LVM: ansible-playbook is not available in the guest: install Debian's ansible-core on the host (bash scripts/ensure-ansible.sh)"
	[[ -s $VM_REPO/ansible/lvmsnap/plugins/modules/lvmsnap.js ]] || fail "the collection's module is not built: npm run build"
	ans_teardown_vg1
	setup_system ext4 free
	truncate -s 128M "$ANS_VG1_IMG"
	local loop
	loop=$(losetup --find --show -- "$ANS_VG1_IMG")
	pvcreate -q --yes "$loop" >/dev/null
	vgcreate -q --yes vg1 "$loop" >/dev/null
	lvcreate -q --yes -L 40M -n home vg1 >/dev/null
	mkfs.ext4 -q -F /dev/vg1/home
	mkdir -p /mnt/home
	mount /dev/vg1/home /mnt/home
	ans_state >/tmp/ans-start.txt

	rm -rf /tmp/ansible-collections
	mkdir -p /tmp/ansible-home
	env "${ans_env[@]}" ansible-galaxy collection install -p /tmp/ansible-collections "$VM_REPO/ansible/lvmsnap" >/tmp/galaxy.out 2>&1 ||
		fail "ansible-galaxy collection install failed: $(tail -3 /tmp/galaxy.out)"

	local set='[{vg: vg0, lv: root, mountpoint: /media/snap-root}, {vg: vg1, lv: home, mountpoint: /media/snap-home}]'
	cat >/tmp/present.yml <<-YAML
	- hosts: localhost
	  connection: local
	  gather_facts: false
	  tasks:
	    - name: snapshot set
	      lvmsnap.lvmsnap.lvmsnap: { size: 16M, targets: $set }
	YAML
	# The same set for the CLI, which takes it back to absent at the end.
	printf 'targets:\n  - {vg: vg0, lv: root, mountpoint: /media/snap-root}\n  - {vg: vg1, lv: home, mountpoint: /media/snap-home}\n' >/tmp/ans-set.yaml

	ansible_play /tmp/present.yml --check --diff || fail "--check --diff failed: $(tail -20 /tmp/ansible.out)"
	assert_contains /tmp/ansible.out 'lvcreate --yes --snapshot --size 16777216b --name home-lvmsnap --addtag lvmsnap vg1/home' "--check --diff shows the plan"
	assert_contains /tmp/ansible.out 'changed=1' "--check reports the change it would make"
	ans_state >/tmp/ans-check.txt
	assert_same_file /tmp/ans-start.txt /tmp/ans-check.txt "--check changes nothing"

	ansible_play /tmp/present.yml || fail "the first run failed: $(tail -20 /tmp/ansible.out)"
	assert_contains /tmp/ansible.out 'changed=1' "the first run"
	lvs vg0/root-lvmsnap vg1/home-lvmsnap >/dev/null || fail "the set's snapshots are not there"
	findmnt -rn -o OPTIONS /media/snap-home | grep -qE '(^|,)ro(,|$)' || fail "vg1/home-lvmsnap is not mounted read-only"
	findmnt -rn -o OPTIONS /media/snap-root | grep -qE '(^|,)ro(,|$)' || fail "vg0/root-lvmsnap is not mounted read-only"

	ansible_play /tmp/present.yml || fail "the second run failed: $(tail -20 /tmp/ansible.out)"
	assert_contains /tmp/ansible.out 'changed=0' "the second run changes nothing"

	# Absent with the CLI (the module's absent runs in npm test's playbook test on the simulator): the
	# same engine takes back what the module made, and one more Python start (half a minute under
	# TCG) is saved. Not through lib.sh's lvmsnap helper: the differential has no model of the set the
	# playbook made, so this run is not traced.
	local rc=0 cli=("$CLI")
	[[ $CLI != *.mjs && $CLI != *.cjs && $CLI != *.js ]] || cli=(node "$CLI")
	"${cli[@]}" apply --state absent --config /tmp/ans-set.yaml --json </dev/null >/tmp/ans-absent.json 2>/tmp/ans-absent.err || rc=$?
	((rc == 0)) || fail "lvmsnap apply --state absent of the playbook's set exited $rc: $(tail -5 /tmp/ans-absent.err)"
	[[ $(jq -r .changed /tmp/ans-absent.json) == true ]] || fail "absent of the playbook's set changed nothing: $(head -c 2000 /tmp/ans-absent.json)"
	ans_state >/tmp/ans-end.txt
	assert_same_file /tmp/ans-start.txt /tmp/ans-end.txt "absent returns the system to its start"
	ans_teardown_vg1
}
